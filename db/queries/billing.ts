import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { ReceivableTotals } from '../../workflows/order/rules/receivable.js';
import type { Db } from '../client.js';
import { creditNotes, invoiceFees, invoiceLines, invoiceSeries, invoices } from '../schema/billing.js';
import { writeOffs } from '../schema/collections.js';
import { orders } from '../schema/orders.js';
import { paymentApplications } from '../schema/payments.js';

export type InvoiceRow = typeof invoices.$inferSelect;
export type InvoiceLineRow = typeof invoiceLines.$inferSelect;
export type InvoiceFeeRow = typeof invoiceFees.$inferSelect;
export type CreditNoteRow = typeof creditNotes.$inferSelect;

export interface NewInvoice {
  orderId: string;
  customerId: string;
  currency: string;
  series: string;
  issuedAt: Date;
  /** Calendar date, YYYY-MM-DD. */
  dueDate: string;
  lines: Array<{ lineId: string; description: string; quantity: number; unitPriceMinor: number; amountMinor: number }>;
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
}

export function formatInvoiceNumber(series: string, sequence: number): string {
  return `${series}-${String(sequence).padStart(6, '0')}`;
}

/**
 * Issues the order's one invoice with the next number of its series. In one transaction:
 * lock the order row (so two issuers of the same order queue up and the second finds the
 * first's invoice instead of taking a number), return the existing invoice if there is
 * one, else take the next number (the series row lock serialises issuers of the series)
 * and insert the invoice with its lines. Anything failing rolls the number back with the
 * rest, so the series has no gaps.
 */
export async function issueInvoice(
  db: Db,
  i: NewInvoice,
): Promise<{ invoiceNumber: string; sequence: number; created: boolean }> {
  return db.transaction(async (tx) => {
    const order = await tx.select({ id: orders.id }).from(orders).where(eq(orders.id, i.orderId)).for('update');
    if (order.length === 0) throw new Error(`cannot invoice order ${i.orderId}: no such order`);

    const [existing] = await tx
      .select({ invoiceNumber: invoices.invoiceNumber, sequence: invoices.sequence })
      .from(invoices)
      .where(eq(invoices.orderId, i.orderId));
    if (existing) return { ...existing, created: false };

    const [taken] = await tx
      .insert(invoiceSeries)
      .values({ series: i.series, lastNumber: 1 })
      .onConflictDoUpdate({ target: invoiceSeries.series, set: { lastNumber: sql`${invoiceSeries.lastNumber} + 1` } })
      .returning({ lastNumber: invoiceSeries.lastNumber });
    if (!taken) throw new Error(`invoice series ${i.series} returned no number`);
    const sequence = taken.lastNumber;
    const invoiceNumber = formatInvoiceNumber(i.series, sequence);

    await tx.insert(invoices).values({
      invoiceNumber,
      series: i.series,
      sequence,
      orderId: i.orderId,
      customerId: i.customerId,
      currency: i.currency,
      issuedAt: i.issuedAt,
      dueDate: i.dueDate,
      subtotalMinor: i.subtotalMinor,
      taxMinor: i.taxMinor,
      totalMinor: i.totalMinor,
    });
    if (i.lines.length > 0) {
      await tx.insert(invoiceLines).values(i.lines.map((line, n) => ({ invoiceNumber, lineNo: n + 1, ...line })));
    }
    return { invoiceNumber, sequence, created: true };
  });
}

export async function getInvoice(
  db: Db,
  invoiceNumber: string,
): Promise<(InvoiceRow & { lines: InvoiceLineRow[] }) | undefined> {
  const [invoice] = await db.select().from(invoices).where(eq(invoices.invoiceNumber, invoiceNumber));
  if (!invoice) return undefined;
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(eq(invoiceLines.invoiceNumber, invoiceNumber))
    .orderBy(asc(invoiceLines.lineNo));
  return { ...invoice, lines };
}

/** Charges the dunning fee of one level once; a repeated charge is a no-op. */
export async function chargeFee(
  db: Db,
  f: { invoiceNumber: string; level: number; amountMinor: number; chargedAt: Date },
): Promise<{ created: boolean }> {
  const rows = await db
    .insert(invoiceFees)
    .values(f)
    .onConflictDoNothing({ target: [invoiceFees.invoiceNumber, invoiceFees.level] })
    .returning({ level: invoiceFees.level });
  return { created: rows.length > 0 };
}

/**
 * Waives a fee, naming who did it. The first waiver stands: waiving again changes nothing,
 * and `waived` is false when there was no unwaived fee at that level.
 */
export async function waiveFee(
  db: Db,
  w: { invoiceNumber: string; level: number; waivedBy: string; waivedAt: Date },
): Promise<{ waived: boolean }> {
  const rows = await db
    .update(invoiceFees)
    .set({ waivedAt: w.waivedAt, waivedBy: w.waivedBy })
    .where(and(eq(invoiceFees.invoiceNumber, w.invoiceNumber), eq(invoiceFees.level, w.level), isNull(invoiceFees.waivedAt)))
    .returning({ level: invoiceFees.level });
  return { waived: rows.length > 0 };
}

export async function listFees(db: Db, invoiceNumber: string): Promise<InvoiceFeeRow[]> {
  return db.select().from(invoiceFees).where(eq(invoiceFees.invoiceNumber, invoiceNumber)).orderBy(asc(invoiceFees.level));
}

/**
 * Issues a credit note once per ID. A dispute is credited at most once too: a second note
 * for the same dispute under another ID is also a no-op (created false).
 */
export interface NewCreditNote {
  creditNoteId: string;
  invoiceNumber: string;
  disputeId: string | null;
  amountMinor: number;
  reason: string;
  issuedAt: Date;
}

export async function issueCreditNote(db: Db, c: NewCreditNote): Promise<{ created: boolean }> {
  // No conflict target: either guard (the ID, or the invoice and dispute) makes it a no-op.
  const rows = await db
    .insert(creditNotes)
    .values(c)
    .onConflictDoNothing()
    .returning({ creditNoteId: creditNotes.creditNoteId });
  return { created: rows.length > 0 };
}

export async function listCreditNotes(db: Db, invoiceNumber: string): Promise<CreditNoteRow[]> {
  return db
    .select()
    .from(creditNotes)
    .where(eq(creditNotes.invoiceNumber, invoiceNumber))
    .orderBy(asc(creditNotes.issuedAt), asc(creditNotes.creditNoteId));
}

/** Closes an open invoice. Only an open one changes, so a repeated close keeps the first time and status. */
export async function closeInvoice(
  db: Db,
  invoiceNumber: string,
  status: 'closed' | 'written_off',
  closedAt: Date,
): Promise<void> {
  await db
    .update(invoices)
    .set({ status, closedAt })
    .where(and(eq(invoices.invoiceNumber, invoiceNumber), eq(invoices.status, 'open')));
}

// The figures the receivable rules work on, here read from the books.
export type { ReceivableTotals };

/**
 * Both sides of an invoice's receivable as the database holds them (waived fees left
 * out), so reconciliation proves the books without trusting the workflow's own figures.
 * Throws for an unknown invoice rather than proving a balance of nothing.
 */
export async function getReceivableTotals(db: Db, invoiceNumber: string): Promise<ReceivableTotals> {
  // Each figure is a correlated sub-select on the invoice, so one row answers all five.
  const sumOf = (query: SQL) => sql<number>`(${query})`.mapWith(Number);
  const [row] = await db
    .select({
      invoiceTotalMinor: invoices.totalMinor,
      feesMinor: sumOf(sql`select coalesce(sum(${invoiceFees.amountMinor}), 0) from ${invoiceFees}
        where ${invoiceFees.invoiceNumber} = ${invoices.invoiceNumber} and ${invoiceFees.waivedAt} is null`),
      appliedPaymentsMinor: sumOf(sql`select coalesce(sum(${paymentApplications.appliedMinor}), 0)
        from ${paymentApplications} where ${paymentApplications.invoiceNumber} = ${invoices.invoiceNumber}`),
      creditNotesMinor: sumOf(sql`select coalesce(sum(${creditNotes.amountMinor}), 0) from ${creditNotes}
        where ${creditNotes.invoiceNumber} = ${invoices.invoiceNumber}`),
      writtenOffMinor: sumOf(sql`select coalesce(sum(${writeOffs.amountMinor}), 0) from ${writeOffs}
        where ${writeOffs.invoiceNumber} = ${invoices.invoiceNumber}`),
    })
    .from(invoices)
    .where(eq(invoices.invoiceNumber, invoiceNumber));
  if (!row) throw new Error(`no invoice ${invoiceNumber}`);
  return row;
}
