import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import { getPayment, type NewPayment, recordPayment } from '../../db/queries/payments.js';
import { customerCredits, paymentApplications, payments } from '../../db/schema/payments.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { seedCustomer, seedInvoice } from './fixtures.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

const receivedAt = new Date('2025-02-03T14:30:00Z');

async function invoiced() {
  const customerId = await seedCustomer(handle.db);
  const inv = await seedInvoice(handle.db, customerId, { subtotalMinor: 10_000 });
  const payment = (over: Partial<NewPayment> = {}): NewPayment => ({
    paymentReference: uniqueId('pay'),
    customerId,
    orderId: inv.orderId,
    invoiceNumber: inv.invoiceNumber,
    amountMinor: 12_000,
    currency: 'EUR',
    method: 'bank_transfer',
    receivedAt,
    appliedMinor: 12_000,
    unappliedMinor: 0,
    ...over,
  });
  return { customerId, inv, payment };
}

async function counts(paymentReference: string) {
  return {
    payments: await handle.db.$count(payments, eq(payments.paymentReference, paymentReference)),
    applications: await handle.db.$count(paymentApplications, eq(paymentApplications.paymentReference, paymentReference)),
    credits: await handle.db.$count(customerCredits, eq(customerCredits.paymentReference, paymentReference)),
  };
}

describe('recordPayment', () => {
  it('records a payment and its application once per reference', async () => {
    const { inv, payment } = await invoiced();
    const p = payment({ appliedMinor: 12_000 });
    expect(await recordPayment(handle.db, p)).toEqual({ created: true });
    expect(await recordPayment(handle.db, p)).toEqual({ created: false });
    // The same reference with other figures is still the same payment: nothing changes.
    expect(await recordPayment(handle.db, { ...p, amountMinor: 99, appliedMinor: 99 })).toEqual({ created: false });
    expect(await counts(p.paymentReference)).toEqual({ payments: 1, applications: 1, credits: 0 });

    const stored = await getPayment(handle.db, p.paymentReference);
    expect(stored).toMatchObject({ amountMinor: 12_000, method: 'bank_transfer', receivedAt, credit: null });
    expect(stored?.applications).toMatchObject([{ invoiceNumber: inv.invoiceNumber, appliedMinor: 12_000, appliedAt: receivedAt }]);
    expect(stored?.recordedAt).toBeInstanceOf(Date);
  });

  it('keeps an overpayment as customer credit', async () => {
    const { customerId, payment } = await invoiced();
    const p = payment({ amountMinor: 15_000, appliedMinor: 12_000, unappliedMinor: 3_000, method: 'lockbox' });
    expect(await recordPayment(handle.db, p)).toEqual({ created: true });
    expect(await recordPayment(handle.db, p)).toEqual({ created: false });
    expect(await counts(p.paymentReference)).toEqual({ payments: 1, applications: 1, credits: 1 });
    expect((await getPayment(handle.db, p.paymentReference))?.credit).toMatchObject({
      customerId,
      currency: 'EUR',
      amountMinor: 3_000,
    });
  });

  it('records cash with no invoice to apply it to as credit only', async () => {
    const { payment } = await invoiced();
    const p = payment({ invoiceNumber: null, amountMinor: 700, appliedMinor: 0, unappliedMinor: 700, method: 'other' });
    expect(await recordPayment(handle.db, p)).toEqual({ created: true });
    expect(await counts(p.paymentReference)).toEqual({ payments: 1, applications: 0, credits: 1 });
  });

  it('records the payment once when the same reference arrives concurrently', async () => {
    const { payment } = await invoiced();
    const p = payment({ amountMinor: 13_000, appliedMinor: 12_000, unappliedMinor: 1_000 });
    const results = await Promise.all(Array.from({ length: 6 }, () => recordPayment(handle.db, p)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await counts(p.paymentReference)).toEqual({ payments: 1, applications: 1, credits: 1 });
  });

  it('refuses, before writing, a split that does not add up or applies cash to no invoice', async () => {
    const { payment } = await invoiced();
    const refused = [
      payment({ amountMinor: 12_000, appliedMinor: 10_000, unappliedMinor: 1_000 }),
      payment({ appliedMinor: 13_000, unappliedMinor: -1_000 }),
      payment({ invoiceNumber: null }),
      payment({ appliedMinor: 11_999.5, unappliedMinor: 0.5 }),
    ];
    for (const p of refused) {
      await expect(recordPayment(handle.db, p)).rejects.toThrow(RangeError);
      expect(await counts(p.paymentReference)).toEqual({ payments: 0, applications: 0, credits: 0 });
    }
  });

  it('refuses a zero or negative payment, a bad currency or an unknown invoice in the database', async () => {
    const { payment } = await invoiced();
    const refused = [
      payment({ amountMinor: 0, appliedMinor: 0, unappliedMinor: 0 }),
      payment({ amountMinor: -5, appliedMinor: 0, unappliedMinor: -5 }),
      payment({ currency: 'eur' }),
      payment({ invoiceNumber: uniqueId('INV') }),
    ];
    for (const p of refused) {
      await expect(recordPayment(handle.db, p)).rejects.toThrow();
      expect(await counts(p.paymentReference)).toEqual({ payments: 0, applications: 0, credits: 0 });
    }
  });
});
