import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import { tableFootprints, totalFootprint } from '../../db/queries/footprint.js';
import { countNoticesBySubject, enqueueNotification } from '../../db/queries/notifications.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { seedCustomer, seedOrder } from './fixtures.js';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

describe('table footprints', () => {
  it('counts every table of ours, not the migrations journal, and grows with an order', async () => {
    const tables = await tableFootprints(database);
    expect(tables.map((t) => t.table)).toEqual(expect.arrayContaining(['orders', 'order_lines', 'journal_lines']));
    expect(tables.some((t) => t.table.startsWith('__drizzle'))).toBe(false);
    for (const t of tables) expect(t.bytes).toBeGreaterThan(0);

    const before = await totalFootprint(database);
    await seedOrder(database.db, await seedCustomer(database.db));
    const after = await totalFootprint(database);
    // a customer, an order and its line at least (other tests may write meanwhile)
    expect(after.rows - before.rows).toBeGreaterThanOrEqual(3);
    expect(after.bytes).toBeGreaterThanOrEqual(before.bytes);
  });
});

describe('countNoticesBySubject', () => {
  it('counts one template per subject under a prefix, with the time of the last', async () => {
    const prefix = uniqueId('notice');
    const notice = (key: string, subjectId: string, template = 'payment_reminder') =>
      enqueueNotification(database.db, {
        notificationKey: `${prefix}:${key}`,
        template,
        channel: 'email',
        recipient: 'ap@example.com',
        subjectType: 'order',
        subjectId,
        data: {},
      });
    await notice('a1', `${prefix}-a`);
    await notice('a2', `${prefix}-a`);
    await notice('b1', `${prefix}-b`);
    await notice('b2', `${prefix}-b`, 'invoice_issued');
    const counts = await countNoticesBySubject(database.db, 'payment_reminder', `${prefix}-`);
    expect(counts.map((c) => [c.subjectId, c.notices]).sort()).toEqual([
      [`${prefix}-a`, 2],
      [`${prefix}-b`, 1],
    ]);
    for (const c of counts) expect(c.lastAt).toBeInstanceOf(Date);
  });
});
