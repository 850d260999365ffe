import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import { chargeFee, closeInvoice, issueCreditNote, waiveFee } from '../../db/queries/billing.js';
import { recordWriteOff } from '../../db/queries/collections.js';
import { getCreditProfile } from '../../db/queries/orders.js';
import { recordPayment } from '../../db/queries/payments.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { seedCustomer, seedInvoice, seedOrder } from './fixtures.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

const at = new Date('2025-01-15T09:00:00Z');

async function pay(customerId: string, inv: { orderId: string; invoiceNumber: string }, appliedMinor: number) {
  await recordPayment(handle.db, {
    paymentReference: uniqueId('pay'),
    customerId,
    orderId: inv.orderId,
    invoiceNumber: inv.invoiceNumber,
    amountMinor: appliedMinor,
    currency: 'EUR',
    method: 'bank_transfer',
    receivedAt: at,
    appliedMinor,
    unappliedMinor: 0,
  });
}

describe('getCreditProfile', () => {
  it('answers undefined for an unknown customer', async () => {
    expect(await getCreditProfile(handle.db, uniqueId('cust'), uniqueId('order'), '2025-02-01')).toBeUndefined();
  });

  it('answers zeros and the limit for a customer with nothing open', async () => {
    const customerId = await seedCustomer(handle.db, { creditLimitMinor: 250_000 });
    expect(await getCreditProfile(handle.db, customerId, uniqueId('order'), '2025-02-01')).toEqual({
      limitMinor: 250_000,
      openReceivablesMinor: 0,
      openOrdersMinor: 0,
      overdueMinor: 0,
    });
  });

  it('nets payments, credit notes, fees and write-offs per open invoice and splits out the overdue part', async () => {
    const customerId = await seedCustomer(handle.db, { creditLimitMinor: 500_000 });
    const asOf = '2025-02-01';

    // A: total 12 000, due before asOf → overdue. + fee 500, − payment 3 000, − credit note 1 000 = 8 500.
    const a = await seedInvoice(handle.db, customerId, { subtotalMinor: 10_000, dueDate: '2025-01-31' });
    await pay(customerId, a, 3_000);
    await chargeFee(handle.db, { invoiceNumber: a.invoiceNumber, level: 1, amountMinor: 500, chargedAt: at });
    await issueCreditNote(handle.db, {
      creditNoteId: uniqueId('cn'),
      invoiceNumber: a.invoiceNumber,
      disputeId: null,
      amountMinor: 1_000,
      reason: 'damaged goods',
      issuedAt: at,
    });

    // B: total 24 000, not yet due; its fee was waived, so it does not count → 24 000.
    const b = await seedInvoice(handle.db, customerId, { subtotalMinor: 20_000, dueDate: '2025-03-03' });
    await chargeFee(handle.db, { invoiceNumber: b.invoiceNumber, level: 1, amountMinor: 700, chargedAt: at });
    await waiveFee(handle.db, { invoiceNumber: b.invoiceNumber, level: 1, waivedBy: 'carol', waivedAt: at });

    // D: total 6 000, due on asOf itself (not yet overdue), 1 000 written off → 5 000.
    const d = await seedInvoice(handle.db, customerId, { subtotalMinor: 5_000, dueDate: asOf });
    await recordWriteOff(handle.db, {
      invoiceNumber: d.invoiceNumber,
      amountMinor: 1_000,
      approvedBy: 'dave',
      reason: 'goodwill',
      postedAt: at,
    });

    // C: paid in full and closed → not a receivable any more, even though it was due long ago.
    const c = await seedInvoice(handle.db, customerId, { subtotalMinor: 5_000, dueDate: '2024-12-01', status: 'closed' });
    await pay(customerId, c, c.totalMinor);
    await closeInvoice(handle.db, c.invoiceNumber, 'closed', at);

    // Orders not yet invoiced: live ones count, released ones and the order being checked do not.
    await seedOrder(handle.db, customerId, { subtotalMinor: 5_000, status: 'awaiting_shipment' }); // 6 000
    await seedOrder(handle.db, customerId, { subtotalMinor: 2_500, status: 'credit_hold' }); // 3 000
    await seedOrder(handle.db, customerId, { subtotalMinor: 1_000, status: 'partially_shipped' }); // 1 200
    await seedOrder(handle.db, customerId, { subtotalMinor: 7_500, status: 'cancelled' });
    await seedOrder(handle.db, customerId, { subtotalMinor: 7_500, status: 'credit_rejected' });
    await seedOrder(handle.db, customerId, { subtotalMinor: 7_500, status: 'closed' });
    const current = await seedOrder(handle.db, customerId, { subtotalMinor: 50_000, status: 'credit_review' });

    // Another customer's books never leak in.
    const other = await seedCustomer(handle.db);
    await seedInvoice(handle.db, other, { subtotalMinor: 90_000, dueDate: '2024-01-01' });
    await seedOrder(handle.db, other, { subtotalMinor: 90_000 });

    expect(await getCreditProfile(handle.db, customerId, current.orderId, asOf)).toEqual({
      limitMinor: 500_000,
      openReceivablesMinor: 8_500 + 24_000 + 5_000,
      openOrdersMinor: 6_000 + 3_000 + 1_200,
      overdueMinor: 8_500,
    });

    // A day later D is overdue too; the current order counts once another order is checked.
    expect(await getCreditProfile(handle.db, customerId, uniqueId('order'), '2025-02-02')).toEqual({
      limitMinor: 500_000,
      openReceivablesMinor: 37_500,
      openOrdersMinor: 10_200 + 60_000,
      overdueMinor: 8_500 + 5_000,
    });
  });

  it('counts an invoiced order as a receivable only, even before its read model says so', async () => {
    const customerId = await seedCustomer(handle.db);
    // The read model still says awaiting_shipment with no invoice number, as right after issuing.
    await seedInvoice(handle.db, customerId, { subtotalMinor: 10_000, dueDate: '2025-03-01', status: 'awaiting_shipment' });
    expect(await getCreditProfile(handle.db, customerId, uniqueId('order'), '2025-02-01')).toMatchObject({
      openReceivablesMinor: 12_000,
      openOrdersMinor: 0,
      overdueMinor: 0,
    });
  });
});
