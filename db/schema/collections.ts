import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { invoices } from './billing.js';
import { notificationChannel } from './notifications.js';
import { orders } from './orders.js';

export const disputeStatus = pgEnum('dispute_status', ['open', 'accepted', 'rejected']);

// A dispute blocks dunning for its amount with a reason and, if given, a date to resume;
// it stays here after resolution so who decided what, and when, is never lost.
export const disputes = pgTable(
  'disputes',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    disputeId: text('dispute_id').notNull(),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.invoiceNumber),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    openedBy: text('opened_by').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    resumeOn: date('resume_on', { mode: 'string' }),
    status: disputeStatus('status').notNull().default('open'),
    acceptedMinor: bigint('accepted_minor', { mode: 'number' }).notNull().default(0),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    comment: text('comment'),
  },
  (t) => [
    primaryKey({ name: 'disputes_pk', columns: [t.orderId, t.disputeId] }),
    index('disputes_invoice_idx').on(t.invoiceNumber),
    check('disputes_amount_positive', sql`${t.amountMinor} > 0`),
    check('disputes_accepted_within_amount', sql`${t.acceptedMinor} >= 0 and ${t.acceptedMinor} <= ${t.amountMinor}`),
    // Resolved exactly when it names who resolved it and when.
    check(
      'disputes_resolution_complete',
      sql`(${t.status} = 'open') = (${t.resolvedAt} is null) and (${t.resolvedAt} is null) = (${t.resolvedBy} is null)`,
    ),
  ],
);

// Each dunning notice exactly once per invoice: the step key ('pre-due', 'level-1', …,
// 'collections') is the idempotency key, and the amount quoted is kept as sent.
export const dunningEvents = pgTable(
  'dunning_events',
  {
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.invoiceNumber),
    stepKey: text('step_key').notNull(),
    level: integer('level').notNull(),
    template: text('template').notNull(),
    channel: notificationChannel('channel').notNull(),
    amountQuotedMinor: bigint('amount_quoted_minor', { mode: 'number' }).notNull(),
    feeMinor: bigint('fee_minor', { mode: 'number' }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'dunning_events_pk', columns: [t.invoiceNumber, t.stepKey] }),
    check('dunning_events_level_non_negative', sql`${t.level} >= 0`),
    check('dunning_events_amount_quoted_non_negative', sql`${t.amountQuotedMinor} >= 0`),
    check('dunning_events_fee_non_negative', sql`${t.feeMinor} >= 0`),
  ],
);

// At most one write-off per invoice, approved by a named person.
export const writeOffs = pgTable(
  'write_offs',
  {
    invoiceNumber: text('invoice_number')
      .primaryKey()
      .references(() => invoices.invoiceNumber),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    approvedBy: text('approved_by').notNull(),
    reason: text('reason').notNull(),
    postedAt: timestamp('posted_at', { withTimezone: true }).notNull(),
  },
  (t) => [check('write_offs_amount_positive', sql`${t.amountMinor} > 0`)],
);
