import { type SQL, and, asc, desc, eq, isNull, lt, notInArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { OrderLine, OrderStatus, OrderView } from '../../workflows/order/contract.js';
import { CLOSED_STATUSES } from '../../workflows/order/rules/status.js';
import type { Db } from '../client.js';
import { creditNotes, invoiceFees, invoices } from '../schema/billing.js';
import { writeOffs } from '../schema/collections.js';
import { customers } from '../schema/customers.js';
import { orderLines, orders, shipmentLines, shipments } from '../schema/orders.js';
import { paymentApplications } from '../schema/payments.js';

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;

export interface NewOrder {
  orderId: string;
  workflowId: string;
  customerId: string;
  currency: string;
  taxRateBps: number;
  paymentTermsDays: number;
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
  status: OrderStatus;
  lines: OrderLine[];
  requestFingerprint?: string | null;
  createdBy?: string | null;
}

/**
 * Records the order and its lines together, once. A second call (a retried activity, the
 * same order submitted again) finds the order already there and writes nothing, so the
 * lines are never duplicated or half-written.
 */
export async function recordOrder(db: Db, o: NewOrder): Promise<{ created: boolean }> {
  // One statement, atomic on its own: the order once, and its lines only with it.
  const order = db.$with('new_order').as(
    db
      .insert(orders)
      .values({
        id: o.orderId,
        workflowId: o.workflowId,
        customerId: o.customerId,
        currency: o.currency,
        status: o.status,
        taxRateBps: o.taxRateBps,
        paymentTermsDays: o.paymentTermsDays,
        subtotalMinor: o.subtotalMinor,
        taxMinor: o.taxMinor,
        totalMinor: o.totalMinor,
        requestFingerprint: o.requestFingerprint ?? null,
        createdBy: o.createdBy ?? null,
      })
      .onConflictDoNothing({ target: orders.id })
      .returning({ id: orders.id }),
  );
  if (o.lines.length === 0) {
    const inserted = await db.with(order).select({ id: order.id }).from(order);
    return { created: inserted.length > 0 };
  }
  const lines = sql.join(
    o.lines.map(
      (line, i) =>
        sql`(${line.lineId}::text, ${i + 1}::int, ${line.sku}::text, ${line.description}::text, ${line.quantity}::int, ${line.unitPriceMinor}::bigint)`,
    ),
    sql`, `,
  );
  const inserted = await db
    .with(order)
    .insert(orderLines)
    .select(
      sql`select ${order.id}, l.line_id, l.line_no, l.sku, l.description, l.quantity, l.unit_price from ${order} cross join (values ${lines}) as l(line_id, line_no, sku, description, quantity, unit_price)`,
    )
    .returning({ orderId: orderLines.orderId });
  return { created: inserted.length > 0 };
}

export type OrderReadModelPatch = Partial<{
  status: OrderStatus;
  amountDueMinor: number;
  dunningLevel: number;
  invoiceNumber: string | null;
  dueDate: string | null;
  closedAt: Date | null;
  finalView: OrderView;
}>;

/**
 * Writes the order's row as its workflow last saw it, the one way the row changes after it
 * is recorded. `revision` counts the workflow's writes: a write whose revision is not above
 * the row's (a late attempt of an older write, a repeat) changes nothing, and neither does
 * any write once the row is closed. Only the fields given change. Returns whether it wrote.
 */
export async function writeOrderRow(db: Db, orderId: string, revision: number, patch: OrderReadModelPatch): Promise<boolean> {
  // Spelled out so a stray key on the patch object never reaches the update.
  const set: Partial<typeof orders.$inferInsert> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.amountDueMinor !== undefined) set.amountDueMinor = patch.amountDueMinor;
  if (patch.dunningLevel !== undefined) set.dunningLevel = patch.dunningLevel;
  if (patch.invoiceNumber !== undefined) set.invoiceNumber = patch.invoiceNumber;
  if (patch.dueDate !== undefined) set.dueDate = patch.dueDate;
  if (patch.closedAt !== undefined) set.closedAt = patch.closedAt;
  if (patch.finalView !== undefined) set.finalView = patch.finalView;
  const written = await db
    .update(orders)
    .set({ ...set, rowRevision: revision, updatedAt: sql`now()` })
    .where(and(eq(orders.id, orderId), lt(orders.rowRevision, revision), isNull(orders.closedAt)))
    .returning({ id: orders.id });
  return written.length > 0;
}

export interface NewShipment {
  orderId: string;
  shipmentId: string;
  shippedAt: Date;
  lines: Array<{ lineId: string; quantity: number }>;
  reportedBy?: string | null;
}

/** Records a shipment and its lines once per shipment ID; a repeated report writes nothing. */
export async function recordShipment(db: Db, s: NewShipment): Promise<{ created: boolean }> {
  // One statement, atomic on its own: the shipment once, and its lines only with it.
  const shipment = db.$with('new_shipment').as(
    db
      .insert(shipments)
      .values({ orderId: s.orderId, shipmentId: s.shipmentId, shippedAt: s.shippedAt, reportedBy: s.reportedBy ?? null })
      .onConflictDoNothing({ target: [shipments.orderId, shipments.shipmentId] })
      .returning({ orderId: shipments.orderId, shipmentId: shipments.shipmentId }),
  );
  if (s.lines.length === 0) {
    const inserted = await db.with(shipment).select({ id: shipment.shipmentId }).from(shipment);
    return { created: inserted.length > 0 };
  }
  const lines = sql.join(
    s.lines.map((line) => sql`(${line.lineId}::text, ${line.quantity}::int)`),
    sql`, `,
  );
  const inserted = await db
    .with(shipment)
    .insert(shipmentLines)
    .select(
      sql`select ${shipment.orderId}, ${shipment.shipmentId}, l.line_id, l.quantity from ${shipment} cross join (values ${lines}) as l(line_id, quantity)`,
    )
    .returning({ lineId: shipmentLines.lineId });
  return { created: inserted.length > 0 };
}

export async function getOrderRow(db: Db, orderId: string): Promise<(OrderRow & { lines: OrderLineRow[] }) | undefined> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) return undefined;
  const lines = await db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.lineNo));
  return { ...order, lines };
}

export interface CreditProfileFigures {
  limitMinor: number;
  openReceivablesMinor: number;
  openOrdersMinor: number;
  overdueMinor: number;
}

/**
 * The customer's exposure from the books as they stand, for the credit check.
 * Open receivables: every open invoice's total + non-waived fees − applied payments −
 * credit notes − write-offs. Open orders: totals of live orders with no invoice yet
 * (the invoice row, not the read model, decides, so an order is never counted twice or
 * dropped while its read model catches up). Overdue: the open balance of invoices due
 * before `asOfDate`. Figures are summed as stored, in the orders' own currencies.
 */
export async function getCreditProfile(
  db: Db,
  customerId: string,
  excludeOrderId: string,
  asOfDate: string,
): Promise<CreditProfileFigures | undefined> {
  // One round trip: the limit and both sides of the exposure read in the same snapshot.
  const balance = invoiceBalanceSql();
  const c = alias(customers, 'c');
  const [customer] = await db
    .select({
      limitMinor: c.creditLimitMinor,
      openReceivablesMinor: sql<number>`(select coalesce(sum(${balance}), 0) from ${invoices}
        where invoices.customer_id = c.id and invoices.status = 'open')`.mapWith(Number),
      overdueMinor: sql<number>`(select coalesce(sum(${balance}) filter (where invoices.due_date < ${asOfDate}::date), 0)
        from ${invoices} where invoices.customer_id = c.id and invoices.status = 'open')`.mapWith(Number),
      openOrdersMinor: sql<number>`(select coalesce(sum(o.total_minor), 0) from ${orders} o
        where o.customer_id = c.id and o.id <> ${excludeOrderId}
          and o.status not in (${sql.join(
            // A closed order commits the customer to nothing (any more, or ever).
            CLOSED_STATUSES.map((status) => sql`${status}`),
            sql`, `,
          )})
          and not exists (select 1 from ${invoices} x where x.order_id = o.id))`.mapWith(Number),
    })
    .from(c)
    .where(eq(c.id, customerId));
  return customer;
}

/**
 * The open balance of the `invoices` row in scope, as an SQL expression. Floored at zero
 * per invoice so one invoice settled beyond its total can never hide another's debt.
 */
function invoiceBalanceSql() {
  return sql`greatest(0,
    ${invoices.totalMinor}
    + (select coalesce(sum(${invoiceFees.amountMinor}), 0) from ${invoiceFees}
        where ${invoiceFees.invoiceNumber} = ${invoices.invoiceNumber} and ${invoiceFees.waivedAt} is null)
    - (select coalesce(sum(${paymentApplications.appliedMinor}), 0) from ${paymentApplications}
        where ${paymentApplications.invoiceNumber} = ${invoices.invoiceNumber})
    - (select coalesce(sum(${creditNotes.amountMinor}), 0) from ${creditNotes}
        where ${creditNotes.invoiceNumber} = ${invoices.invoiceNumber})
    - (select coalesce(sum(${writeOffs.amountMinor}), 0) from ${writeOffs}
        where ${writeOffs.invoiceNumber} = ${invoices.invoiceNumber})
  )`;
}

export interface OrderListFilter {
  status?: OrderStatus;
  customerId?: string;
  /** Open orders with an unpaid balance past the due date (from the books, not the status). */
  overdue?: boolean;
  dunningLevel?: number;
  /** Today (YYYY-MM-DD, UTC): what "past the due date" is measured against. */
  asOfDate: string;
}

/** Where a page ended: the last row's creation time (to the microsecond) and ID. */
export interface OrderCursor {
  createdAt: string;
  id: string;
}

export type OrderSummaryRow = Pick<
  OrderRow,
  | 'id'
  | 'customerId'
  | 'currency'
  | 'status'
  | 'totalMinor'
  | 'amountDueMinor'
  | 'dunningLevel'
  | 'invoiceNumber'
  | 'dueDate'
  | 'createdAt'
  | 'updatedAt'
  | 'closedAt'
>;

/** Newest first, keyset-paginated on (created_at, id) so pages never skip or repeat a row. */
export async function listOrders(
  db: Db,
  filter: OrderListFilter,
  page: { limit: number; after?: OrderCursor },
): Promise<{ rows: OrderSummaryRow[]; next: OrderCursor | null }> {
  const where: SQL[] = [];
  if (filter.status) where.push(eq(orders.status, filter.status));
  if (filter.customerId) where.push(eq(orders.customerId, filter.customerId));
  if (filter.dunningLevel !== undefined) where.push(eq(orders.dunningLevel, filter.dunningLevel));
  const overdue = and(isNull(orders.closedAt), sql`${orders.amountDueMinor} > 0`, lt(orders.dueDate, filter.asOfDate))!;
  if (filter.overdue === true) where.push(overdue);
  if (filter.overdue === false) where.push(sql`not coalesce(${overdue}, false)`);
  if (page.after) {
    where.push(sql`(${orders.createdAt}, ${orders.id}) < (${page.after.createdAt}::timestamptz, ${page.after.id})`);
  }
  const rows = await db
    .select({
      id: orders.id,
      customerId: orders.customerId,
      currency: orders.currency,
      status: orders.status,
      totalMinor: orders.totalMinor,
      amountDueMinor: orders.amountDueMinor,
      dunningLevel: orders.dunningLevel,
      invoiceNumber: orders.invoiceNumber,
      dueDate: orders.dueDate,
      createdAt: orders.createdAt,
      updatedAt: orders.updatedAt,
      closedAt: orders.closedAt,
      // Full precision: a Date keeps milliseconds only, and the cursor must not lose the rest.
      cursorAt: sql<string>`to_char(${orders.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  const last = pageRows.at(-1);
  return {
    rows: pageRows.map(({ cursorAt: _, ...row }) => row),
    next: more && last ? { createdAt: last.cursorAt, id: last.id } : null,
  };
}

export interface OpenInvoiceRow {
  invoiceNumber: string;
  orderId: string;
  currency: string;
  issuedAt: Date;
  dueDate: string;
  totalMinor: number;
  balanceMinor: number;
}

/** The customer's open invoices with what is still owed on each, oldest due first. */
export async function listOpenInvoices(db: Db, customerId: string): Promise<OpenInvoiceRow[]> {
  return db
    .select({
      invoiceNumber: invoices.invoiceNumber,
      orderId: invoices.orderId,
      currency: invoices.currency,
      issuedAt: invoices.issuedAt,
      dueDate: invoices.dueDate,
      totalMinor: invoices.totalMinor,
      balanceMinor: sql<number>`${invoiceBalanceSql()}`.mapWith(Number),
    })
    .from(invoices)
    .where(and(eq(invoices.customerId, customerId), eq(invoices.status, 'open')))
    .orderBy(asc(invoices.dueDate), asc(invoices.invoiceNumber));
}
