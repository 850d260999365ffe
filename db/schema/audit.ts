import { bigserial, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const actorKind = pgEnum('actor_kind', ['system', 'service', 'finance', 'operator']);

// Who did what. Writers come from activities that may run more than once, so every
// event carries a key derived from the workflow and the step; the unique index turns a
// retried write into a no-op.
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventKey: text('event_key').notNull(),
    actorKind: actorKind('actor_kind').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('audit_events_event_key_unique').on(t.eventKey),
    index('audit_events_subject_idx').on(t.subjectType, t.subjectId, t.occurredAt),
  ],
);
