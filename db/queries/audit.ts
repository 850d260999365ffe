import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { auditEvents } from '../schema/audit.js';

export type NewAuditEvent = typeof auditEvents.$inferInsert;
export type AuditEvent = typeof auditEvents.$inferSelect;

/** Records an event once per `eventKey`; a retried activity's second write changes nothing. */
export async function recordAuditEvent(db: Db, event: NewAuditEvent): Promise<{ recorded: boolean }> {
  const rows = await db
    .insert(auditEvents)
    .values(event)
    .onConflictDoNothing({ target: auditEvents.eventKey })
    .returning({ id: auditEvents.id });
  return { recorded: rows.length > 0 };
}

export async function listAuditEvents(db: Db, subjectType: string, subjectId: string): Promise<AuditEvent[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectType, subjectType), eq(auditEvents.subjectId, subjectId)))
    .orderBy(asc(auditEvents.occurredAt), asc(auditEvents.id));
}
