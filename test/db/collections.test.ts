import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import {
  getWriteOff,
  listDisputes,
  listDunningEvents,
  type NewDispute,
  type NewDunningEvent,
  recordDispute,
  recordDunningEvent,
  recordWriteOff,
  resolveDispute,
} from '../../db/queries/collections.js';
import { disputes, dunningEvents, writeOffs } from '../../db/schema/collections.js';
import { openTestDatabase } from '../helpers/database.js';
import { seedCustomer, seedInvoice } from './fixtures.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

async function invoice() {
  const customerId = await seedCustomer(handle.db);
  return seedInvoice(handle.db, customerId, { subtotalMinor: 10_000 });
}

describe('disputes', () => {
  it('opens a dispute once and resolves it once', async () => {
    const { orderId, invoiceNumber } = await invoice();
    const dispute: NewDispute = {
      orderId,
      disputeId: 'D1',
      invoiceNumber,
      amountMinor: 4_000,
      reason: 'damaged goods',
      openedBy: 'customer-portal',
      openedAt: new Date('2025-02-01T09:00:00Z'),
      resumeOn: '2025-03-01',
    };
    expect(await recordDispute(handle.db, dispute)).toEqual({ created: true });
    expect(await recordDispute(handle.db, { ...dispute, amountMinor: 1, reason: 'other' })).toEqual({ created: false });
    expect(await listDisputes(handle.db, orderId)).toMatchObject([
      { disputeId: 'D1', amountMinor: 4_000, reason: 'damaged goods', resumeOn: '2025-03-01', status: 'open', acceptedMinor: 0 },
    ]);

    const resolvedAt = new Date('2025-02-10T16:00:00Z');
    const resolution = {
      orderId,
      disputeId: 'D1',
      status: 'accepted' as const,
      acceptedMinor: 2_500,
      resolvedBy: 'erin',
      resolvedAt,
      comment: 'half the pallet was damaged',
    };
    await resolveDispute(handle.db, resolution);
    // A retry, or a conflicting second decision, leaves the first one standing.
    await resolveDispute(handle.db, { ...resolution, status: 'rejected', acceptedMinor: 0, resolvedBy: 'frank', comment: null });
    expect(await listDisputes(handle.db, orderId)).toMatchObject([
      { status: 'accepted', acceptedMinor: 2_500, resolvedBy: 'erin', resolvedAt, comment: 'half the pallet was damaged' },
    ]);
    expect(await handle.db.$count(disputes, eq(disputes.orderId, orderId))).toBe(1);
  });

  it('refuses a zero amount and an accepted amount beyond the disputed one', async () => {
    const { orderId, invoiceNumber } = await invoice();
    const base = { orderId, invoiceNumber, reason: 'x', openedBy: 'y', openedAt: new Date(), resumeOn: null };
    await expect(recordDispute(handle.db, { ...base, disputeId: 'Z', amountMinor: 0 })).rejects.toThrow();

    await recordDispute(handle.db, { ...base, disputeId: 'D2', amountMinor: 1_000 });
    await expect(
      resolveDispute(handle.db, {
        orderId,
        disputeId: 'D2',
        status: 'accepted',
        acceptedMinor: 1_001,
        resolvedBy: 'erin',
        resolvedAt: new Date(),
        comment: null,
      }),
    ).rejects.toThrow();
    expect(await listDisputes(handle.db, orderId)).toMatchObject([{ disputeId: 'D2', status: 'open' }]);
  });
});

describe('dunning events', () => {
  it('records each step once, keeps the first quoted amount and lists by time sent', async () => {
    const { invoiceNumber } = await invoice();
    const step = (stepKey: string, level: number, sentAt: string): NewDunningEvent => ({
      invoiceNumber,
      stepKey,
      level,
      template: `dunning_${stepKey}`,
      channel: level >= 3 ? 'letter' : 'email',
      amountQuotedMinor: 12_000,
      feeMinor: level > 0 ? 500 : 0,
      sentAt: new Date(sentAt),
    });
    // Recorded out of order on purpose: the list is by time sent.
    expect(await recordDunningEvent(handle.db, step('level-1', 1, '2025-02-07T09:00:00Z'))).toEqual({ created: true });
    expect(await recordDunningEvent(handle.db, step('pre-due', 0, '2025-01-24T09:00:00Z'))).toEqual({ created: true });
    expect(
      await recordDunningEvent(handle.db, { ...step('level-1', 1, '2025-02-08T09:00:00Z'), amountQuotedMinor: 1 }),
    ).toEqual({ created: false });

    const events = await listDunningEvents(handle.db, invoiceNumber);
    expect(events.map((e) => [e.stepKey, e.level, e.amountQuotedMinor, e.feeMinor])).toEqual([
      ['pre-due', 0, 12_000, 0],
      ['level-1', 1, 12_000, 500],
    ]);
    expect(events[1]?.sentAt).toEqual(new Date('2025-02-07T09:00:00Z'));
    expect(await handle.db.$count(dunningEvents, eq(dunningEvents.invoiceNumber, invoiceNumber))).toBe(2);
  });

  it('refuses a negative quoted amount or fee', async () => {
    const { invoiceNumber } = await invoice();
    const base = { invoiceNumber, level: 1, template: 't', channel: 'email' as const, sentAt: new Date() };
    await expect(recordDunningEvent(handle.db, { ...base, stepKey: 'a', amountQuotedMinor: -1, feeMinor: 0 })).rejects.toThrow();
    await expect(recordDunningEvent(handle.db, { ...base, stepKey: 'b', amountQuotedMinor: 0, feeMinor: -1 })).rejects.toThrow();
    expect(await listDunningEvents(handle.db, invoiceNumber)).toEqual([]);
  });
});

describe('write-offs', () => {
  it('posts one write-off per invoice and keeps the first approval', async () => {
    const { invoiceNumber } = await invoice();
    const postedAt = new Date('2025-06-01T00:00:00Z');
    const w = { invoiceNumber, amountMinor: 12_000, approvedBy: 'dave', reason: 'customer insolvent', postedAt };
    expect(await recordWriteOff(handle.db, w)).toEqual({ created: true });
    expect(await recordWriteOff(handle.db, { ...w, amountMinor: 1, approvedBy: 'mallory' })).toEqual({ created: false });
    expect(await getWriteOff(handle.db, invoiceNumber)).toEqual(w);
  });

  it('refuses a zero write-off', async () => {
    const { invoiceNumber } = await invoice();
    await expect(
      recordWriteOff(handle.db, { invoiceNumber, amountMinor: 0, approvedBy: 'dave', reason: 'x', postedAt: new Date() }),
    ).rejects.toThrow();
    expect(await handle.db.$count(writeOffs, eq(writeOffs.invoiceNumber, invoiceNumber))).toBe(0);
  });
});
