import { and, asc, eq, isNull, type SQL, sql, type WithSubquery } from 'drizzle-orm';
import { formatInvoiceNumber } from '../../workflows/order/rules/invoice.js';
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

export { formatInvoiceNumber };

/**
 * Issues the order's one invoice with the next number of its series, in one statement:
 * the existing invoice if the order has one, else the next number (the series row lock
 * serialises issuers of the series, held only while this statement runs) and the invoice
 * with its lines. Anything failing rolls the number back with the rest, so the series has
 * no gaps. Two issuers of the same order at once: the second trips the one-invoice-per-order
 * index, its number goes back, and asking again finds the first's invoice.
 */
export async function issueInvoice(
  db: Db,
  i: NewInvoice,
): Promise<{ invoiceNumber: string; sequence: number; created: boolean }> {
  try {
    return await issueInvoiceOnce(db, i);
  } catch (err) {
    if (!isConstraintViolation(err, 'invoices_order_id_unique')) throw err;
    // Inside a caller's transaction the failed statement aborted it: the caller's own error stands.
    return await issueInvoiceOnce(db, i).catch(() => {
      throw err;
    });
  }
}

async function issueInvoiceOnce(
  db: Db,
  i: NewInvoice,
): Promise<{ invoiceNumber: string; sequence: number; created: boolean }> {
  const existing = db.$with('existing').as(
    db
      .select({ invoiceNumber: invoices.invoiceNumber, sequence: invoices.sequence })
      .from(invoices)
      .where(eq(invoices.orderId, i.orderId)),
  );
  // A number is taken only for a known order with no invoice yet.
  const taken = db.$with('taken').as(
    db
      .insert(invoiceSeries)
      .select(
        sql`select ${i.series}::text, 1 from ${orders} o where o.id = ${i.orderId} and not exists (select 1 from ${existing})`,
      )
      .onConflictDoUpdate({ target: invoiceSeries.series, set: { lastNumber: sql`${invoiceSeries.lastNumber} + 1` } })
      .returning({ lastNumber: invoiceSeries.lastNumber }),
  );
  // The number formatted as formatInvoiceNumber does.
  const invoice = db.$with('invoice').as(
    db
      .insert(invoices)
      .select(
        sql`select ${i.series}::text || '-' || case when t.last_number < 1000000 then lpad(t.last_number::text, 6, '0') else t.last_number::text end,
          ${i.series}::text, t.last_number, ${i.orderId}::text, ${i.customerId}::text, ${i.currency}::char(3),
          ${i.issuedAt.toISOString()}::timestamptz, ${i.dueDate}::date,
          ${i.subtotalMinor}::bigint, ${i.taxMinor}::bigint, ${i.totalMinor}::bigint, 'open'::invoice_status, null::timestamptz
        from ${taken} t`,
      )
      .returning({ invoiceNumber: invoices.invoiceNumber, sequence: invoices.sequence }),
  );
  const ctes: WithSubquery[] = [existing, taken, invoice];
  if (i.lines.length > 0) {
    const lines = sql.join(
      i.lines.map(
        (line, n) =>
          sql`(${n + 1}::int, ${line.lineId}::text, ${line.description}::text, ${line.quantity}::int, ${line.unitPriceMinor}::bigint, ${line.amountMinor}::bigint)`,
      ),
      sql`, `,
    );
    ctes.push(
      db.$with('lines').as(
        db
          .insert(invoiceLines)
          .select(
            sql`select v.invoice_number, l.line_no, l.line_id, l.description, l.quantity, l.unit_price, l.amount
              from ${invoice} v cross join (values ${lines}) as l(line_no, line_id, description, quantity, unit_price, amount)`,
          )
          .returning({ invoiceNumber: invoiceLines.invoiceNumber }),
      ),
    );
  }
  const [row] = await db
    .with(...ctes)
    .select({
      invoiceNumber: sql<string>`r.invoice_number`,
      sequence: sql<number>`r.sequence`,
      created: sql<boolean>`r.created`,
    })
    .from(
      sql`(select invoice_number, sequence, true as created from ${invoice}
        union all select invoice_number, sequence, false from ${existing}) r`,
    );
  if (!row) throw new Error(`cannot invoice order ${i.orderId}: no such order`);
  return row;
}

/** Whether `err` (or what it wraps) is PostgreSQL refusing a write under the named constraint. */
function isConstraintViolation(err: unknown, constraint: string): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const pg = e as Error & { code?: string; constraint_name?: string; constraint?: string };
    if (pg.code === '23505' && (pg.constraint_name ?? pg.constraint) === constraint) return true;
  }
  return false;
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

/**
 * Locks the invoice's row until the transaction ends, so that what its receivable totals
 * read stands until the caller's movement of money is in. Throws for an unknown invoice.
 */
export async function lockInvoice(db: Db, invoiceNumber: string): Promise<void> {
  const [row] = await db
    .select({ invoiceNumber: invoices.invoiceNumber })
    .from(invoices)
    .where(eq(invoices.invoiceNumber, invoiceNumber))
    .for('update');
  if (!row) throw new Error(`no invoice ${invoiceNumber}`);
}
