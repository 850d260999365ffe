import { sql } from 'drizzle-orm';
import { bigint, char, check, index, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { PaymentMethod } from '../../workflows/order/contract.js';
import { invoices } from './billing.js';
import { customers } from './customers.js';
import { orders } from './orders.js';

export const paymentMethod = pgEnum('payment_method', [
  'card',
  'bank_transfer',
  'lockbox',
  'other',
] as const satisfies readonly PaymentMethod[]);

// The payment reference is the idempotency key: the same payment reported twice is one payment.
export const payments = pgTable(
  'payments',
  {
    paymentReference: text('payment_reference').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    method: paymentMethod('method').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    /** Who reported it (an API key's name). */
    reportedBy: text('reported_by'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('payments_order_idx').on(t.orderId),
    index('payments_customer_idx').on(t.customerId),
    check('payments_amount_positive', sql`${t.amountMinor} > 0`),
    check('payments_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

// Which part of a payment paid which invoice.
export const paymentApplications = pgTable(
  'payment_applications',
  {
    paymentReference: text('payment_reference')
      .notNull()
      .references(() => payments.paymentReference),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.invoiceNumber),
    appliedMinor: bigint('applied_minor', { mode: 'number' }).notNull(),
    appliedAt: timestamp('applied_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'payment_applications_pk', columns: [t.paymentReference, t.invoiceNumber] }),
    index('payment_applications_invoice_idx').on(t.invoiceNumber),
    check('payment_applications_applied_non_negative', sql`${t.appliedMinor} >= 0`),
  ],
);

// Unapplied cash: the part of a payment beyond what was due, kept as the customer's credit.
export const customerCredits = pgTable(
  'customer_credits',
  {
    paymentReference: text('payment_reference')
      .primaryKey()
      .references(() => payments.paymentReference),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    currency: char('currency', { length: 3 }).notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('customer_credits_customer_idx').on(t.customerId),
    check('customer_credits_amount_positive', sql`${t.amountMinor} > 0`),
    check('customer_credits_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);
