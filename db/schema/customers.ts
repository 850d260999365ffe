import { sql } from 'drizzle-orm';
import { bigint, char, check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

// A customer's credit terms. Orders snapshot what they need at start, so editing a
// customer never changes a running order.
export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    creditLimitMinor: bigint('credit_limit_minor', { mode: 'number' }).notNull(),
    paymentTermsDays: integer('payment_terms_days').notNull(),
    contactEmail: text('contact_email'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('customers_credit_limit_non_negative', sql`${t.creditLimitMinor} >= 0`),
    check('customers_payment_terms_non_negative', sql`${t.paymentTermsDays} >= 0`),
    check('customers_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);
