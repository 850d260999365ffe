import { sql } from 'drizzle-orm';
import {
  bigint,
  char,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { OrderStatus, OrderView } from '../../workflows/order/contract.js';
import { customers } from './customers.js';

// A Record keyed by the contract's type: adding a status to contract.ts without adding it
// here (or the other way round) fails to compile. Key order is the enum's order.
const ORDER_STATUSES: Record<OrderStatus, true> = {
  credit_review: true,
  credit_hold: true,
  credit_rejected: true,
  awaiting_shipment: true,
  partially_shipped: true,
  cancelled: true,
  awaiting_payment: true,
  overdue: true,
  disputed: true,
  in_collections: true,
  reconciling: true,
  reconciliation_failed: true,
  needs_attention: true,
  closed: true,
};

export const orderStatus = pgEnum('order_status', Object.keys(ORDER_STATUSES) as [OrderStatus, ...OrderStatus[]]);

// The order as captured, plus a read model of where it stands. The workflow owns the
// truth; these columns let reports and the credit check see every order without asking
// Temporal. The invoice number has no foreign key: invoices already reference orders,
// and the read model may be written a moment after the invoice.
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    currency: char('currency', { length: 3 }).notNull(),
    status: orderStatus('status').notNull(),
    taxRateBps: integer('tax_rate_bps').notNull(),
    paymentTermsDays: integer('payment_terms_days').notNull(),
    subtotalMinor: bigint('subtotal_minor', { mode: 'number' }).notNull(),
    taxMinor: bigint('tax_minor', { mode: 'number' }).notNull(),
    totalMinor: bigint('total_minor', { mode: 'number' }).notNull(),
    amountDueMinor: bigint('amount_due_minor', { mode: 'number' }).notNull().default(0),
    dunningLevel: integer('dunning_level').notNull().default(0),
    invoiceNumber: text('invoice_number'),
    dueDate: date('due_date', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Fingerprint of the API request that created the order: a repeat with another body is refused. */
    requestFingerprint: text('request_fingerprint'),
    /** Who submitted the order (an API key's name); null for orders started another way. */
    createdBy: text('created_by'),
    /** The workflow's state when it closed, so a closed order reads the same after retention. */
    finalView: jsonb('final_view').$type<OrderView>(),
    /**
     * The workflow's count of the row writes it made, carried across continue-as-new: a write
     * with a count not above the row's changes nothing, so a late or repeated write never
     * takes the row backwards.
     */
    rowRevision: bigint('row_revision', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    // GET /orders pages newest first by (created_at, id).
    index('orders_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('orders_customer_status_idx').on(t.customerId, t.status),
    index('orders_status_idx').on(t.status),
    check('orders_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('orders_tax_rate_non_negative', sql`${t.taxRateBps} >= 0`),
    check('orders_payment_terms_non_negative', sql`${t.paymentTermsDays} >= 0`),
    check('orders_subtotal_non_negative', sql`${t.subtotalMinor} >= 0`),
    check('orders_tax_non_negative', sql`${t.taxMinor} >= 0`),
    check('orders_total_is_subtotal_plus_tax', sql`${t.totalMinor} = ${t.subtotalMinor} + ${t.taxMinor}`),
    check('orders_amount_due_non_negative', sql`${t.amountDueMinor} >= 0`),
    check('orders_dunning_level_non_negative', sql`${t.dunningLevel} >= 0`),
  ],
);

// `line_no` keeps the lines in the order the caller sent them; the key is the caller's line ID.
export const orderLines = pgTable(
  'order_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    lineId: text('line_id').notNull(),
    lineNo: integer('line_no').notNull(),
    sku: text('sku').notNull(),
    description: text('description').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceMinor: bigint('unit_price_minor', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'order_lines_pk', columns: [t.orderId, t.lineId] }),
    uniqueIndex('order_lines_order_line_no_unique').on(t.orderId, t.lineNo),
    check('order_lines_quantity_positive', sql`${t.quantity} > 0`),
    check('order_lines_unit_price_non_negative', sql`${t.unitPriceMinor} >= 0`),
  ],
);

// The warehouse reports each shipment once by its own ID; a repeated report is a no-op.
export const shipments = pgTable(
  'shipments',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    shipmentId: text('shipment_id').notNull(),
    shippedAt: timestamp('shipped_at', { withTimezone: true }).notNull(),
    /** Who reported it (an API key's name). */
    reportedBy: text('reported_by'),
  },
  (t) => [primaryKey({ name: 'shipments_pk', columns: [t.orderId, t.shipmentId] })],
);

export const shipmentLines = pgTable(
  'shipment_lines',
  {
    orderId: text('order_id').notNull(),
    shipmentId: text('shipment_id').notNull(),
    lineId: text('line_id').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [
    primaryKey({ name: 'shipment_lines_pk', columns: [t.orderId, t.shipmentId, t.lineId] }),
    foreignKey({
      name: 'shipment_lines_shipment_fk',
      columns: [t.orderId, t.shipmentId],
      foreignColumns: [shipments.orderId, shipments.shipmentId],
    }),
    // A shipment can only carry lines of its own order.
    foreignKey({
      name: 'shipment_lines_order_line_fk',
      columns: [t.orderId, t.lineId],
      foreignColumns: [orderLines.orderId, orderLines.lineId],
    }),
    check('shipment_lines_quantity_positive', sql`${t.quantity} > 0`),
  ],
);
