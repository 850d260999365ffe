import { sql } from 'drizzle-orm';
import {
  bigint,
  char,
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { customers } from './customers.js';
import { orders } from './orders.js';

export const invoiceStatus = pgEnum('invoice_status', ['open', 'closed', 'written_off']);

// One row per series holds the last number handed out. Issuers increment it inside the
// transaction that inserts the invoice, so the row lock serialises them and a rolled-back
// issue gives its number back: the sequence stays gapless.
export const invoiceSeries = pgTable(
  'invoice_series',
  {
    series: text('series').primaryKey(),
    lastNumber: integer('last_number').notNull().default(0),
  },
  (t) => [check('invoice_series_last_number_non_negative', sql`${t.lastNumber} >= 0`)],
);

// Invoices are immutable once issued: corrections are credit notes, and only `status`
// and `closed_at` ever change. The unique order ID makes issuing idempotent per order.
export const invoices = pgTable(
  'invoices',
  {
    invoiceNumber: text('invoice_number').primaryKey(),
    series: text('series')
      .notNull()
      .references(() => invoiceSeries.series),
    sequence: integer('sequence').notNull(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    currency: char('currency', { length: 3 }).notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    subtotalMinor: bigint('subtotal_minor', { mode: 'number' }).notNull(),
    taxMinor: bigint('tax_minor', { mode: 'number' }).notNull(),
    totalMinor: bigint('total_minor', { mode: 'number' }).notNull(),
    status: invoiceStatus('status').notNull().default('open'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('invoices_order_id_unique').on(t.orderId),
    uniqueIndex('invoices_series_sequence_unique').on(t.series, t.sequence),
    index('invoices_customer_status_idx').on(t.customerId, t.status),
    check('invoices_sequence_positive', sql`${t.sequence} > 0`),
    check('invoices_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('invoices_subtotal_non_negative', sql`${t.subtotalMinor} >= 0`),
    check('invoices_tax_non_negative', sql`${t.taxMinor} >= 0`),
    check('invoices_total_is_subtotal_plus_tax', sql`${t.totalMinor} = ${t.subtotalMinor} + ${t.taxMinor}`),
    check('invoices_closed_at_iff_not_open', sql`(${t.status} = 'open') = (${t.closedAt} is null)`),
  ],
);

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.invoiceNumber),
    lineNo: integer('line_no').notNull(),
    lineId: text('line_id').notNull(),
    description: text('description').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceMinor: bigint('unit_price_minor', { mode: 'number' }).notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'invoice_lines_pk', columns: [t.invoiceNumber, t.lineNo] }),
    check('invoice_lines_quantity_positive', sql`${t.quantity} > 0`),
    check('invoice_lines_unit_price_non_negative', sql`${t.unitPriceMinor} >= 0`),
    check('invoice_lines_amount_non_negative', sql`${t.amountMinor} >= 0`),
  ],
);

// Dunning fees are receivables of their own, one per level reached. Waiving one is an
// explicit act that names who did it; the row stays so the history does too.
export const invoiceFees = pgTable(
  'invoice_fees',
  {
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.invoiceNumber),
    level: integer('level').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    chargedAt: timestamp('charged_at', { withTimezone: true }).notNull(),
    waivedAt: timestamp('waived_at', { withTimezone: true }),
    waivedBy: text('waived_by'),
  },
  (t) => [
    primaryKey({ name: 'invoice_fees_pk', columns: [t.invoiceNumber, t.level] }),
    check('invoice_fees_amount_non_negative', sql`${t.amountMinor} >= 0`),
    check('invoice_fees_waiver_names_who', sql`(${t.waivedAt} is null) = (${t.waivedBy} is null)`),
  ],
);

// A dispute is credited at most once: the partial unique index makes a second credit
// note for the same dispute a no-op, whatever ID the caller gave it.
export const creditNotes = pgTable(
  'credit_notes',
  {
    creditNoteId: text('credit_note_id').primaryKey(),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.invoiceNumber),
    disputeId: text('dispute_id'),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('credit_notes_invoice_idx').on(t.invoiceNumber),
    uniqueIndex('credit_notes_invoice_dispute_unique')
      .on(t.invoiceNumber, t.disputeId)
      .where(sql`${t.disputeId} is not null`),
    check('credit_notes_amount_positive', sql`${t.amountMinor} > 0`),
  ],
);
