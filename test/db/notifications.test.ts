import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import { enqueueNotification, listNotifications, type NewNotification } from '../../db/queries/notifications.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

describe('notifications outbox', () => {
  it('enqueues once per key and lists a subject’s notices in the order they were enqueued', async () => {
    const orderId = uniqueId('order');
    const notice = (key: string, over: Partial<NewNotification> = {}): NewNotification => ({
      notificationKey: `order:${orderId}:${key}`,
      template: key,
      channel: 'email',
      recipient: 'ap@acme.example',
      subjectType: 'order',
      subjectId: orderId,
      data: { invoiceNumber: 'INV-000001', amountDueMinor: 12_000, lines: [{ id: 'l1' }] },
      ...over,
    });
    expect(await enqueueNotification(handle.db, notice('invoice_issued'))).toEqual({ created: true });
    expect(await enqueueNotification(handle.db, notice('dunning_level_1', { channel: 'letter' }))).toEqual({ created: true });
    expect(
      await enqueueNotification(handle.db, notice('invoice_issued', { recipient: 'someone@else.example', data: {} })),
    ).toEqual({ created: false });
    expect(
      await enqueueNotification(handle.db, notice('credit_hold', { channel: 'internal', recipient: 'finance' })),
    ).toEqual({ created: true });
    // Another subject's notice stays out of this list.
    await enqueueNotification(handle.db, notice('x', { notificationKey: uniqueId('other'), subjectId: uniqueId('order') }));

    const rows = await listNotifications(handle.db, 'order', orderId);
    expect(rows.map((r) => [r.template, r.channel, r.recipient])).toEqual([
      ['invoice_issued', 'email', 'ap@acme.example'],
      ['dunning_level_1', 'letter', 'ap@acme.example'],
      ['credit_hold', 'internal', 'finance'],
    ]);
    expect(rows[0]?.data).toEqual({ invoiceNumber: 'INV-000001', amountDueMinor: 12_000, lines: [{ id: 'l1' }] });
    expect(rows[0]?.sentAt).toBeNull();
    expect(rows[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('enqueues one row when the same notice is enqueued concurrently', async () => {
    const subjectId = uniqueId('order');
    const n: NewNotification = {
      notificationKey: `order:${subjectId}:notice`,
      template: 't',
      channel: 'email',
      recipient: 'r',
      subjectType: 'order',
      subjectId,
      data: {},
    };
    const results = await Promise.all(Array.from({ length: 6 }, () => enqueueNotification(handle.db, n)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await listNotifications(handle.db, 'order', subjectId)).toHaveLength(1);
  });
});
