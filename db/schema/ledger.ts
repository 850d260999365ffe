import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  char,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { invoices } from './billing.js';
import { orders } from './orders.js';

export const journalKind = pgEnum('journal_kind', ['invoice', 'payment', 'fee', 'credit_note', 'write_off']);

export const ledgerAccount = pgEnum('ledger_account', [
  'accounts_receivable',
  'revenue',
  'tax_payable',
  'cash',
  'customer_credit',
  'fee_income',
  'bad_debt_expense',
]);

// Double-entry journal. The entry key (derived from the business event, e.g.
// 'invoice:INV-000001') makes a retried posting a no-op; balance is checked before writing.
export const journalEntries = pgTable(
  'journal_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    entryKey: text('entry_key').notNull(),
    kind: journalKind('kind').notNull(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    invoiceNumber: text('invoice_number').references(() => invoices.invoiceNumber),
    currency: char('currency', { length: 3 }).notNull(),
    postedAt: timestamp('posted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('journal_entries_entry_key_unique').on(t.entryKey),
    index('journal_entries_order_idx').on(t.orderId, t.postedAt),
    check('journal_entries_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

// Each line is a debit or a credit, never both and never neither.
export const journalLines = pgTable(
  'journal_lines',
  {
    entryId: bigint('entry_id', { mode: 'number' })
      .notNull()
      .references(() => journalEntries.id),
    lineNo: integer('line_no').notNull(),
    account: ledgerAccount('account').notNull(),
    debitMinor: bigint('debit_minor', { mode: 'number' }).notNull().default(0),
    creditMinor: bigint('credit_minor', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    primaryKey({ name: 'journal_lines_pk', columns: [t.entryId, t.lineNo] }),
    check('journal_lines_debit_non_negative', sql`${t.debitMinor} >= 0`),
    check('journal_lines_credit_non_negative', sql`${t.creditMinor} >= 0`),
    check('journal_lines_one_side', sql`(${t.debitMinor} > 0) <> (${t.creditMinor} > 0)`),
  ],
);
