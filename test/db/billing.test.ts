import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import {
  chargeFee,
  closeInvoice,
  formatInvoiceNumber,
  getInvoice,
  getReceivableTotals,
  issueCreditNote,
  issueInvoice,
  listCreditNotes,
  listFees,
  type NewInvoice,
  waiveFee,
} from '../../db/queries/billing.js';
import { recordWriteOff } from '../../db/queries/collections.js';
import { recordPayment } from '../../db/queries/payments.js';
import { creditNotes, invoiceFees, invoiceLines, invoiceSeries, invoices } from '../../db/schema/billing.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { seedCustomer, seedInvoice, seedOrder, uniqueSeries } from './fixtures.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

const at = new Date('2025-01-20T09:00:00Z');

type SeededOrder = { orderId: string; subtotalMinor: number; taxMinor: number; totalMinor: number };

function invoiceFor(order: SeededOrder, customerId: string, series: string): NewInvoice {
  return {
    orderId: order.orderId,
    customerId,
    currency: 'EUR',
    series,
    issuedAt: new Date('2025-01-01T10:00:00Z'),
    dueDate: '2025-01-31',
    lines: [
      {
        lineId: 'l1',
        description: 'Widget',
        quantity: 1,
        unitPriceMinor: order.subtotalMinor,
        amountMinor: order.subtotalMinor,
      },
    ],
    subtotalMinor: order.subtotalMinor,
    taxMinor: order.taxMinor,
    totalMinor: order.totalMinor,
  };
}

async function lastNumber(series: string): Promise<number | undefined> {
  const [row] = await handle.db.select().from(invoiceSeries).where(eq(invoiceSeries.series, series));
  return row?.lastNumber;
}

describe('issueInvoice', () => {
  it('numbers the invoice from its series and stores it with its lines', async () => {
    const customerId = await seedCustomer(handle.db);
    const order = await seedOrder(handle.db, customerId, { subtotalMinor: 10_000 });
    const series = uniqueSeries();
    const issued = await issueInvoice(handle.db, invoiceFor(order, customerId, series));
    expect(issued).toEqual({ invoiceNumber: `${series}-000001`, sequence: 1, created: true });

    const invoice = await getInvoice(handle.db, issued.invoiceNumber);
    expect(invoice).toMatchObject({
      series,
      sequence: 1,
      orderId: order.orderId,
      customerId,
      currency: 'EUR',
      dueDate: '2025-01-31',
      subtotalMinor: 10_000,
      taxMinor: 2_000,
      totalMinor: 12_000,
      status: 'open',
      closedAt: null,
    });
    expect(invoice?.issuedAt).toEqual(new Date('2025-01-01T10:00:00Z'));
    expect(invoice?.lines).toMatchObject([{ lineNo: 1, lineId: 'l1', quantity: 1, amountMinor: 10_000 }]);
  });

  it('returns the existing invoice for an order already invoiced and takes no number', async () => {
    const customerId = await seedCustomer(handle.db);
    const order = await seedOrder(handle.db, customerId);
    const series = uniqueSeries();
    const first = await issueInvoice(handle.db, invoiceFor(order, customerId, series));
    const second = await issueInvoice(handle.db, { ...invoiceFor(order, customerId, series), dueDate: '2030-01-01' });
    expect(second).toEqual({ ...first, created: false });
    expect(await lastNumber(series)).toBe(1);
    expect(await handle.db.$count(invoiceLines, eq(invoiceLines.invoiceNumber, first.invoiceNumber))).toBe(1);
    expect((await getInvoice(handle.db, first.invoiceNumber))?.dueDate).toBe('2025-01-31');

    // Even asked under another series, the order keeps its one invoice and that series stays untouched.
    const otherSeries = uniqueSeries();
    expect(await issueInvoice(handle.db, invoiceFor(order, customerId, otherSeries))).toEqual({ ...first, created: false });
    expect(await lastNumber(otherSeries)).toBeUndefined();
  });

  it('hands out gapless numbers 1..20 to 20 concurrent issuers, and none to their repeats', async () => {
    const customerId = await seedCustomer(handle.db);
    const series = uniqueSeries();
    const orders = await Promise.all(Array.from({ length: 20 }, () => seedOrder(handle.db, customerId)));

    const issued = await Promise.all(orders.map((o) => issueInvoice(handle.db, invoiceFor(o, customerId, series))));
    expect(issued.every((i) => i.created)).toBe(true);
    expect(issued.map((i) => i.sequence).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    for (const i of issued) expect(i.invoiceNumber).toBe(formatInvoiceNumber(series, i.sequence));

    const repeated = await Promise.all(orders.map((o) => issueInvoice(handle.db, invoiceFor(o, customerId, series))));
    expect(repeated).toEqual(issued.map((i) => ({ ...i, created: false })));
    expect(await lastNumber(series)).toBe(20);
    expect(await handle.db.$count(invoices, eq(invoices.series, series))).toBe(20);
  });

  it('issues one invoice when the same order is issued concurrently', async () => {
    const customerId = await seedCustomer(handle.db);
    const series = uniqueSeries();
    const order = await seedOrder(handle.db, customerId);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => issueInvoice(handle.db, invoiceFor(order, customerId, series))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.invoiceNumber))).toEqual(new Set([`${series}-000001`]));
    expect(await lastNumber(series)).toBe(1);
  });

  it('gives the number back when the invoice is refused, so the next one fills it', async () => {
    const customerId = await seedCustomer(handle.db);
    const series = uniqueSeries();
    const first = await seedOrder(handle.db, customerId);
    await issueInvoice(handle.db, invoiceFor(first, customerId, series));

    const refused = await seedOrder(handle.db, customerId);
    // Total is not subtotal + tax: the check constraint refuses it after the number was taken.
    await expect(issueInvoice(handle.db, { ...invoiceFor(refused, customerId, series), totalMinor: 1 })).rejects.toThrow();
    // A line with zero quantity: refused at the very end of the transaction.
    const badLine = { ...invoiceFor(refused, customerId, series) };
    badLine.lines = [{ lineId: 'l1', description: 'Widget', quantity: 0, unitPriceMinor: 1, amountMinor: 0 }];
    await expect(issueInvoice(handle.db, badLine)).rejects.toThrow();
    expect(await lastNumber(series)).toBe(1);

    expect(await issueInvoice(handle.db, invoiceFor(refused, customerId, series))).toMatchObject({ sequence: 2, created: true });
  });

  it('joins a caller’s transaction: rolled back with it, the number is not consumed', async () => {
    const customerId = await seedCustomer(handle.db);
    const series = uniqueSeries();
    const order = await seedOrder(handle.db, customerId);
    await expect(
      handle.db.transaction(async (tx) => {
        await issueInvoice(tx, invoiceFor(order, customerId, series));
        throw new Error('caller aborts');
      }),
    ).rejects.toThrow('caller aborts');
    expect(await lastNumber(series)).toBeUndefined();
    expect(await handle.db.$count(invoices, eq(invoices.orderId, order.orderId))).toBe(0);
    expect(await issueInvoice(handle.db, invoiceFor(order, customerId, series))).toMatchObject({ sequence: 1, created: true });
  });

  it('refuses an unknown order without taking a number', async () => {
    const customerId = await seedCustomer(handle.db);
    const series = uniqueSeries();
    const ghost = { orderId: uniqueId('order'), subtotalMinor: 100, taxMinor: 20, totalMinor: 120 };
    await expect(issueInvoice(handle.db, invoiceFor(ghost, customerId, series))).rejects.toThrow(/no such order/);
    expect(await lastNumber(series)).toBeUndefined();
  });
});

describe('fees', () => {
  it('charges each level once; waiving names who and takes the fee out of the receivable', async () => {
    const customerId = await seedCustomer(handle.db);
    const { invoiceNumber } = await seedInvoice(handle.db, customerId);
    expect(await chargeFee(handle.db, { invoiceNumber, level: 1, amountMinor: 500, chargedAt: at })).toEqual({ created: true });
    expect(await chargeFee(handle.db, { invoiceNumber, level: 1, amountMinor: 900, chargedAt: new Date() })).toEqual({
      created: false,
    });
    expect(await chargeFee(handle.db, { invoiceNumber, level: 2, amountMinor: 1_000, chargedAt: at })).toEqual({ created: true });
    expect((await getReceivableTotals(handle.db, invoiceNumber)).feesMinor).toBe(1_500);

    expect(await waiveFee(handle.db, { invoiceNumber, level: 2, waivedBy: 'carol', waivedAt: at })).toEqual({ waived: true });
    expect(await waiveFee(handle.db, { invoiceNumber, level: 2, waivedBy: 'mallory', waivedAt: new Date() })).toEqual({
      waived: false,
    });
    expect(await waiveFee(handle.db, { invoiceNumber, level: 3, waivedBy: 'carol', waivedAt: at })).toEqual({ waived: false });
    expect(await listFees(handle.db, invoiceNumber)).toMatchObject([
      { level: 1, amountMinor: 500, chargedAt: at, waivedAt: null, waivedBy: null },
      { level: 2, amountMinor: 1_000, waivedAt: at, waivedBy: 'carol' },
    ]);
    expect((await getReceivableTotals(handle.db, invoiceNumber)).feesMinor).toBe(500);
  });

  it('refuses a negative fee and a waiver that does not say who', async () => {
    const customerId = await seedCustomer(handle.db);
    const { invoiceNumber } = await seedInvoice(handle.db, customerId);
    await expect(chargeFee(handle.db, { invoiceNumber, level: 1, amountMinor: -1, chargedAt: at })).rejects.toThrow();
    await expect(
      handle.db.insert(invoiceFees).values({ invoiceNumber, level: 2, amountMinor: 5, chargedAt: at, waivedAt: at }),
    ).rejects.toThrow();
    expect(await handle.db.$count(invoiceFees, eq(invoiceFees.invoiceNumber, invoiceNumber))).toBe(0);
  });
});

describe('issueCreditNote', () => {
  it('issues a note once per ID and credits a dispute at most once', async () => {
    const customerId = await seedCustomer(handle.db);
    const { invoiceNumber } = await seedInvoice(handle.db, customerId);
    const note = {
      creditNoteId: uniqueId('cn'),
      invoiceNumber,
      disputeId: 'D1',
      amountMinor: 1_500,
      reason: 'wrong price',
      issuedAt: at,
    };
    expect(await issueCreditNote(handle.db, note)).toEqual({ created: true });
    expect(await issueCreditNote(handle.db, { ...note, amountMinor: 9_999 })).toEqual({ created: false });
    // Same dispute under another ID: still one credit for it.
    expect(await issueCreditNote(handle.db, { ...note, creditNoteId: uniqueId('cn') })).toEqual({ created: false });
    // Notes without a dispute are independent of each other.
    const free = { ...note, disputeId: null, amountMinor: 100 };
    expect(await issueCreditNote(handle.db, { ...free, creditNoteId: uniqueId('cn') })).toEqual({ created: true });
    expect(await issueCreditNote(handle.db, { ...free, creditNoteId: uniqueId('cn') })).toEqual({ created: true });

    const notes = await listCreditNotes(handle.db, invoiceNumber);
    expect(notes.map((n) => n.amountMinor).sort((a, b) => a - b)).toEqual([100, 100, 1_500]);
    expect((await getReceivableTotals(handle.db, invoiceNumber)).creditNotesMinor).toBe(1_700);
  });

  it('refuses a zero or negative credit note', async () => {
    const customerId = await seedCustomer(handle.db);
    const { invoiceNumber } = await seedInvoice(handle.db, customerId);
    for (const amountMinor of [0, -100]) {
      const note = { creditNoteId: uniqueId('cn'), invoiceNumber, disputeId: null, amountMinor, reason: 'x', issuedAt: at };
      await expect(issueCreditNote(handle.db, note)).rejects.toThrow();
    }
    expect(await handle.db.$count(creditNotes, eq(creditNotes.invoiceNumber, invoiceNumber))).toBe(0);
  });
});

describe('closeInvoice', () => {
  it('closes an open invoice once; a repeat keeps the first status and time', async () => {
    const customerId = await seedCustomer(handle.db);
    const { invoiceNumber } = await seedInvoice(handle.db, customerId);
    await closeInvoice(handle.db, invoiceNumber, 'written_off', at);
    await closeInvoice(handle.db, invoiceNumber, 'closed', new Date('2026-01-01T00:00:00Z'));
    expect(await getInvoice(handle.db, invoiceNumber)).toMatchObject({ status: 'written_off', closedAt: at });
  });
});

describe('getReceivableTotals', () => {
  it('reads both sides of the receivable from the books', async () => {
    const customerId = await seedCustomer(handle.db);
    const inv = await seedInvoice(handle.db, customerId, { subtotalMinor: 10_000 });
    expect(await getReceivableTotals(handle.db, inv.invoiceNumber)).toEqual({
      invoiceTotalMinor: 12_000,
      feesMinor: 0,
      appliedPaymentsMinor: 0,
      creditNotesMinor: 0,
      writtenOffMinor: 0,
    });

    await chargeFee(handle.db, { invoiceNumber: inv.invoiceNumber, level: 1, amountMinor: 400, chargedAt: at });
    for (const [ref, amountMinor, appliedMinor] of [
      ['p1', 5_000, 5_000],
      ['p2', 3_000, 2_000],
    ] as const) {
      await recordPayment(handle.db, {
        paymentReference: uniqueId(ref),
        customerId,
        orderId: inv.orderId,
        invoiceNumber: inv.invoiceNumber,
        amountMinor,
        currency: 'EUR',
        method: 'card',
        receivedAt: at,
        appliedMinor,
        unappliedMinor: amountMinor - appliedMinor,
      });
    }
    await issueCreditNote(handle.db, {
      creditNoteId: uniqueId('cn'),
      invoiceNumber: inv.invoiceNumber,
      disputeId: null,
      amountMinor: 1_200,
      reason: 'late delivery',
      issuedAt: at,
    });
    await recordWriteOff(handle.db, {
      invoiceNumber: inv.invoiceNumber,
      amountMinor: 4_200,
      approvedBy: 'dave',
      reason: 'small balance',
      postedAt: at,
    });

    expect(await getReceivableTotals(handle.db, inv.invoiceNumber)).toEqual({
      invoiceTotalMinor: 12_000,
      feesMinor: 400,
      appliedPaymentsMinor: 7_000, // the 1 000 overpaid on p2 is customer credit, not applied
      creditNotesMinor: 1_200,
      writtenOffMinor: 4_200,
    });
  });

  it('throws for an unknown invoice', async () => {
    await expect(getReceivableTotals(handle.db, uniqueId('INV'))).rejects.toThrow(/no invoice/);
  });
});
