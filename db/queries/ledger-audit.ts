// What the ledger audit reads: each order's receivable as the books, the ledger and the row
// hold it, each journal entry's totals, each series' numbers, each payment with where it went
// and how it was posted. Pages go by primary key, so the audit's memory stays flat however
// large the books; read them in one repeatable-read transaction to see one moment of them.
// The rules that judge these rows are in workflows/order/rules/ledger-audit.ts.
import { type SQL, and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { OrderStatus } from '../../workflows/order/contract.js';
import type {
  EntryTotals,
  IssuedNumber,
  OrderBooks,
  PaymentBooks,
  ReceivableByKind,
  SeriesCounter,
  StrayPaymentEntry,
} from '../../workflows/order/rules/ledger-audit.js';
import type { Db } from '../client.js';
import { creditNotes, invoiceFees, invoiceSeries, invoices } from '../schema/billing.js';
import { disputes, dunningEvents, writeOffs } from '../schema/collections.js';
import { journalEntries, journalLines } from '../schema/ledger.js';
import { orders } from '../schema/orders.js';
import { customerCredits, paymentApplications, payments } from '../schema/payments.js';

/**
 * Which books to audit: all of them, or the orders named and every order of the customers
 * named (with the journal entries, payments and invoice series those orders touch).
 */
export type AuditScope = 'everything' | { orderIds?: readonly string[]; customerIds?: readonly string[] };

export interface Page<K> {
  /** The last key of the page before; null for the first page. */
  after: K | null;
  limit: number;
}

/** The IDs of the orders in scope, as a sub-select; undefined for everything. */
function scopedOrderIds(db: Db, scope: AuditScope) {
  if (scope === 'everything') return undefined;
  return db
    .select({ id: orders.id })
    .from(orders)
    .where(or(inArray(orders.id, [...(scope.orderIds ?? [])]), inArray(orders.customerId, [...(scope.customerIds ?? [])])));
}

const sumOf = (query: SQL) => sql<number>`(${query})`.mapWith(Number);

/** Orders in scope, by ID, with their invoice's figures and their accounts-receivable postings by kind. */
export async function listOrderBooks(db: Db, scope: AuditScope, page: Page<string>): Promise<OrderBooks[]> {
  const inScope = scopedOrderIds(db, scope);
  const rows = await db
    .select({
      orderId: orders.id,
      workflowId: orders.workflowId,
      customerId: orders.customerId,
      currency: orders.currency,
      status: orders.status,
      closedAt: orders.closedAt,
      amountDueMinor: orders.amountDueMinor,
      rowInvoiceNumber: orders.invoiceNumber,
      finalViewBalanceMinor: sql<number | null>`(${orders.finalView} ->> 'balanceMinor')::bigint`.mapWith(Number),
      invoiceNumber: invoices.invoiceNumber,
      invoiceStatus: invoices.status,
      totalMinor: invoices.totalMinor,
      feesMinor: sumOf(sql`select coalesce(sum(${invoiceFees.amountMinor}), 0) from ${invoiceFees}
        where ${invoiceFees.invoiceNumber} = ${invoices.invoiceNumber} and ${invoiceFees.waivedAt} is null`),
      appliedPaymentsMinor: sumOf(sql`select coalesce(sum(${paymentApplications.appliedMinor}), 0) from ${paymentApplications}
        where ${paymentApplications.invoiceNumber} = ${invoices.invoiceNumber}`),
      creditNotesMinor: sumOf(sql`select coalesce(sum(${creditNotes.amountMinor}), 0) from ${creditNotes}
        where ${creditNotes.invoiceNumber} = ${invoices.invoiceNumber}`),
      writtenOffMinor: sumOf(sql`select coalesce(sum(${writeOffs.amountMinor}), 0) from ${writeOffs}
        where ${writeOffs.invoiceNumber} = ${invoices.invoiceNumber}`),
      openDisputedMinor: sumOf(sql`select coalesce(sum(${disputes.amountMinor}), 0) from ${disputes}
        where ${disputes.invoiceNumber} = ${invoices.invoiceNumber} and ${disputes.status} = 'open'`),
      lastQuotedMinor: sql<number | null>`(select ${dunningEvents.amountQuotedMinor} from ${dunningEvents}
        where ${dunningEvents.invoiceNumber} = ${invoices.invoiceNumber}
        order by ${dunningEvents.sentAt} desc, ${dunningEvents.level} desc, ${dunningEvents.stepKey} desc limit 1)`.mapWith(Number),
      receivable: sql<ReceivableByKind>`(select coalesce(jsonb_object_agg(k.kind, k.amount), '{}'::jsonb) from (
        select e.kind, sum(l.debit_minor - l.credit_minor) as amount
        from ${journalEntries} e join ${journalLines} l on l.entry_id = e.id
        where e.order_id = ${orders.id} and l.account = 'accounts_receivable'
        group by e.kind) k)`,
    })
    .from(orders)
    .leftJoin(invoices, eq(invoices.orderId, orders.id))
    .where(and(inScope ? inArray(orders.id, inScope) : undefined, page.after === null ? undefined : gt(orders.id, page.after)))
    .orderBy(asc(orders.id))
    .limit(page.limit);
  return rows.map((r) => ({
    orderId: r.orderId,
    workflowId: r.workflowId,
    customerId: r.customerId,
    currency: r.currency,
    status: r.status as OrderStatus,
    closedAt: r.closedAt,
    amountDueMinor: r.amountDueMinor,
    rowInvoiceNumber: r.rowInvoiceNumber,
    finalViewBalanceMinor: r.finalViewBalanceMinor ?? null,
    invoice:
      r.invoiceNumber === null || r.invoiceStatus === null || r.totalMinor === null
        ? null
        : {
            invoiceNumber: r.invoiceNumber,
            status: r.invoiceStatus,
            totalMinor: r.totalMinor,
            feesMinor: r.feesMinor,
            appliedPaymentsMinor: r.appliedPaymentsMinor,
            creditNotesMinor: r.creditNotesMinor,
            writtenOffMinor: r.writtenOffMinor,
            openDisputedMinor: r.openDisputedMinor,
            lastQuotedMinor: r.lastQuotedMinor ?? null,
          },
    receivable: Object.fromEntries(Object.entries(r.receivable ?? {}).map(([kind, n]) => [kind, Number(n)])),
  }));
}

/** Journal entries of the orders in scope, by ID, with how many lines they have and their totals. */
export async function listEntryTotals(db: Db, scope: AuditScope, page: Page<number>): Promise<EntryTotals[]> {
  const inScope = scopedOrderIds(db, scope);
  return db
    .select({
      entryId: journalEntries.id,
      entryKey: journalEntries.entryKey,
      kind: journalEntries.kind,
      orderId: journalEntries.orderId,
      lineCount: sql<number>`count(${journalLines.lineNo})`.mapWith(Number),
      debitsMinor: sql<number>`coalesce(sum(${journalLines.debitMinor}), 0)`.mapWith(Number),
      creditsMinor: sql<number>`coalesce(sum(${journalLines.creditMinor}), 0)`.mapWith(Number),
    })
    .from(journalEntries)
    .leftJoin(journalLines, eq(journalLines.entryId, journalEntries.id))
    .where(
      and(
        inScope ? inArray(journalEntries.orderId, inScope) : undefined,
        page.after === null ? undefined : gt(journalEntries.id, page.after),
      ),
    )
    .groupBy(journalEntries.id)
    .orderBy(asc(journalEntries.id))
    .limit(page.limit);
}

/** The series in scope: all, or those of the invoices of the orders in scope. */
function scopedSeries(db: Db, scope: AuditScope) {
  const inScope = scopedOrderIds(db, scope);
  if (!inScope) return undefined;
  return db.selectDistinct({ series: invoices.series }).from(invoices).where(inArray(invoices.orderId, inScope));
}

/** Each series in scope with the last number it handed out. */
export async function listSeriesCounters(db: Db, scope: AuditScope): Promise<SeriesCounter[]> {
  const series = scopedSeries(db, scope);
  return db
    .select({ series: invoiceSeries.series, lastNumber: invoiceSeries.lastNumber })
    .from(invoiceSeries)
    .where(series ? inArray(invoiceSeries.series, series) : undefined)
    .orderBy(asc(invoiceSeries.series));
}

/** Every invoice of the series in scope (whoever's order it is), by series and sequence. */
export async function listIssuedNumbers(
  db: Db,
  scope: AuditScope,
  page: Page<{ series: string; sequence: number }>,
): Promise<IssuedNumber[]> {
  const series = scopedSeries(db, scope);
  return db
    .select({ series: invoices.series, sequence: invoices.sequence, invoiceNumber: invoices.invoiceNumber })
    .from(invoices)
    .where(
      and(
        series ? inArray(invoices.series, series) : undefined,
        page.after === null ? undefined : sql`(${invoices.series}, ${invoices.sequence}) > (${page.after.series}, ${page.after.sequence})`,
      ),
    )
    .orderBy(asc(invoices.series), asc(invoices.sequence))
    .limit(page.limit);
}

/**
 * The key the order's workflow posts a payment under, as SQL (paymentEntryKey in the rules).
 * `workflowId` and `reference` are SQL expressions.
 */
function paymentEntryKeySql(workflowId: SQL, reference: SQL): SQL {
  return sql`${workflowId} || ':journal:payment:' || ${reference}`;
}

/**
 * Payments in scope (recorded for an order in scope, or applied to one of its invoices), by
 * reference: the amount, where it was applied, the customer credit it left, and the journal
 * entry under the key the order's workflow posts it with.
 */
export async function listPaymentBooks(db: Db, scope: AuditScope, page: Page<string>): Promise<PaymentBooks[]> {
  const inScope = scopedOrderIds(db, scope);
  const appliedInScope = inScope
    ? db
        .select({ reference: paymentApplications.paymentReference })
        .from(paymentApplications)
        .innerJoin(invoices, eq(invoices.invoiceNumber, paymentApplications.invoiceNumber))
        .where(inArray(invoices.orderId, inScope))
    : undefined;
  const key = paymentEntryKeySql(sql`${orders.workflowId}`, sql`${payments.paymentReference}`);
  const rows = await db
    .select({
      paymentReference: payments.paymentReference,
      orderId: payments.orderId,
      amountMinor: payments.amountMinor,
      customerCreditMinor: sumOf(sql`select coalesce(sum(${customerCredits.amountMinor}), 0) from ${customerCredits}
        where ${customerCredits.paymentReference} = ${payments.paymentReference}`),
      applications: sql<PaymentBooks['applications']>`(select coalesce(jsonb_agg(jsonb_build_object(
          'invoiceNumber', a.invoice_number, 'orderId', i.order_id, 'appliedMinor', a.applied_minor) order by a.invoice_number), '[]'::jsonb)
        from ${paymentApplications} a join ${invoices} i on i.invoice_number = a.invoice_number
        where a.payment_reference = ${payments.paymentReference})`,
      posting: sql<PaymentBooks['posting']>`(select jsonb_build_object('entryId', e.id,
          'cashMinor', coalesce(sum(l.debit_minor - l.credit_minor) filter (where l.account = 'cash'), 0),
          'receivableMinor', coalesce(sum(l.credit_minor - l.debit_minor) filter (where l.account = 'accounts_receivable'), 0),
          'customerCreditMinor', coalesce(sum(l.credit_minor - l.debit_minor) filter (where l.account = 'customer_credit'), 0))
        from ${journalEntries} e left join ${journalLines} l on l.entry_id = e.id
        where e.entry_key = ${key} group by e.id)`,
    })
    .from(payments)
    .innerJoin(orders, eq(orders.id, payments.orderId))
    .where(
      and(
        inScope && appliedInScope
          ? or(inArray(payments.orderId, inScope), inArray(payments.paymentReference, appliedInScope))
          : undefined,
        page.after === null ? undefined : gt(payments.paymentReference, page.after),
      ),
    )
    .orderBy(asc(payments.paymentReference))
    .limit(page.limit);
  return rows.map((r) => ({
    ...r,
    applications: (r.applications ?? []).map((a) => ({ ...a, appliedMinor: Number(a.appliedMinor) })),
    posting: r.posting
      ? {
          entryId: Number(r.posting.entryId),
          cashMinor: Number(r.posting.cashMinor),
          receivableMinor: Number(r.posting.receivableMinor),
          customerCreditMinor: Number(r.posting.customerCreditMinor),
        }
      : null,
  }));
}

/**
 * Payment journal entries that are not their payment's own posting: the key names no
 * recorded payment, or a payment posted under another key. In scope when the entry's order
 * or the payment's order is.
 */
export async function listStrayPaymentEntries(db: Db, scope: AuditScope): Promise<StrayPaymentEntry[]> {
  const inScope = scopedOrderIds(db, scope);
  const reference = sql<string | null>`substring(${journalEntries.entryKey} from ':journal:payment:(.*)$')`;
  const ownKey = paymentEntryKeySql(sql`${orders.workflowId}`, sql`${payments.paymentReference}`);
  const rows = await db
    .select({
      entryId: journalEntries.id,
      entryKey: journalEntries.entryKey,
      orderId: journalEntries.orderId,
      paymentReference: reference,
      paymentOrderId: payments.orderId,
      postingEntryId: sql<number | null>`(select x.id from ${journalEntries} x where x.entry_key = ${ownKey})`.mapWith(Number),
    })
    .from(journalEntries)
    .leftJoin(payments, eq(payments.paymentReference, reference))
    .leftJoin(orders, eq(orders.id, payments.orderId))
    .where(
      and(
        eq(journalEntries.kind, 'payment'),
        sql`(${payments.paymentReference} is null or ${journalEntries.entryKey} <> ${ownKey})`,
        inScope ? or(inArray(journalEntries.orderId, inScope), inArray(payments.orderId, inScope)) : undefined,
      ),
    )
    .orderBy(asc(journalEntries.id));
  return rows.map((r) => ({
    entryId: r.entryId,
    entryKey: r.entryKey,
    orderId: r.orderId,
    paymentReference: r.paymentReference,
    payment: r.paymentOrderId === null ? null : { orderId: r.paymentOrderId, postingEntryId: r.postingEntryId ?? null },
  }));
}
