import { and, asc, count, eq, like, max } from 'drizzle-orm';
import type { Db } from '../client.js';
import { notifications } from '../schema/notifications.js';

export type NotificationRow = typeof notifications.$inferSelect;

export interface NewNotification {
  notificationKey: string;
  template: string;
  channel: NotificationRow['channel'];
  recipient: string;
  subjectType: string;
  subjectId: string;
  data: Record<string, unknown>;
}

/** Puts a notice in the outbox once per key; a retried step adds nothing. */
export async function enqueueNotification(db: Db, n: NewNotification): Promise<{ created: boolean }> {
  const rows = await db
    .insert(notifications)
    .values(n)
    .onConflictDoNothing({ target: notifications.notificationKey })
    .returning({ id: notifications.id });
  return { created: rows.length > 0 };
}

export async function listNotifications(db: Db, subjectType: string, subjectId: string): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.subjectType, subjectType), eq(notifications.subjectId, subjectId)))
    .orderBy(asc(notifications.id));
}

/** How many notices of a template each subject got, and when the last was written. */
export async function countNoticesBySubject(
  db: Db,
  template: string,
  subjectIdPrefix: string,
): Promise<Array<{ subjectId: string; notices: number; lastAt: Date }>> {
  return db
    .select({ subjectId: notifications.subjectId, notices: count(), lastAt: max(notifications.createdAt).mapWith((v) => new Date(v)) })
    .from(notifications)
    .where(and(eq(notifications.template, template), like(notifications.subjectId, `${subjectIdPrefix}%`)))
    .groupBy(notifications.subjectId) as Promise<Array<{ subjectId: string; notices: number; lastAt: Date }>>;
}
