import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const notificationChannel = pgEnum('notification_channel', ['email', 'letter', 'internal']);

// An outbox: activities enqueue inside their own step (a retry hits the unique key and
// adds nothing) and a separate sender drains unsent rows, so a notice is neither lost
// nor sent twice because a workflow step ran again.
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    notificationKey: text('notification_key').notNull(),
    template: text('template').notNull(),
    channel: notificationChannel('channel').notNull(),
    recipient: text('recipient').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notifications_notification_key_unique').on(t.notificationKey),
    index('notifications_subject_idx').on(t.subjectType, t.subjectId),
    // The sender's work queue stays small however long the history grows.
    index('notifications_unsent_idx').on(t.id).where(sql`${t.sentAt} is null`),
  ],
);
