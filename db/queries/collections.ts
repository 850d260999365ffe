import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { disputes, dunningEvents, writeOffs } from '../schema/collections.js';

export type DisputeRow = typeof disputes.$inferSelect;
export type DunningEventRow = typeof dunningEvents.$inferSelect;
export type WriteOffRow = typeof writeOffs.$inferSelect;

export interface NewDispute {
  orderId: string;
  disputeId: string;
  invoiceNumber: string;
  amountMinor: number;
  reason: string;
  openedBy: string;
  openedAt: Date;
  /** Calendar date on which dunning may resume while the dispute is still open. */
  resumeOn: string | null;
}

/** Opens a dispute once per (order, dispute ID); a repeat is a no-op. */
export async function recordDispute(db: Db, d: NewDispute): Promise<{ created: boolean }> {
  const rows = await db
    .insert(disputes)
    .values(d)
    .onConflictDoNothing({ target: [disputes.orderId, disputes.disputeId] })
    .returning({ disputeId: disputes.disputeId });
  return { created: rows.length > 0 };
}

export interface DisputeResolution {
  orderId: string;
  disputeId: string;
  status: 'accepted' | 'rejected';
  acceptedMinor: number;
  resolvedBy: string;
  resolvedAt: Date;
  comment: string | null;
}

/** Resolves an open dispute. A resolved one is left alone, so a retry cannot rewrite the decision. */
export async function resolveDispute(db: Db, r: DisputeResolution): Promise<void> {
  await db
    .update(disputes)
    .set({
      status: r.status,
      acceptedMinor: r.acceptedMinor,
      resolvedBy: r.resolvedBy,
      resolvedAt: r.resolvedAt,
      comment: r.comment,
    })
    .where(and(eq(disputes.orderId, r.orderId), eq(disputes.disputeId, r.disputeId), eq(disputes.status, 'open')));
}

export async function getDispute(db: Db, orderId: string, disputeId: string): Promise<DisputeRow | undefined> {
  const [row] = await db
    .select()
    .from(disputes)
    .where(and(eq(disputes.orderId, orderId), eq(disputes.disputeId, disputeId)));
  return row;
}

export async function listDisputes(db: Db, orderId: string): Promise<DisputeRow[]> {
  return db
    .select()
    .from(disputes)
    .where(eq(disputes.orderId, orderId))
    .orderBy(asc(disputes.openedAt), asc(disputes.disputeId));
}

export interface NewDunningEvent {
  invoiceNumber: string;
  stepKey: string;
  level: number;
  template: string;
  channel: DunningEventRow['channel'];
  amountQuotedMinor: number;
  feeMinor: number;
  sentAt: Date;
}

/** Records a dunning notice once per (invoice, step); the first record, and its quoted amount, stands. */
export async function recordDunningEvent(db: Db, e: NewDunningEvent): Promise<{ created: boolean }> {
  const rows = await db
    .insert(dunningEvents)
    .values(e)
    .onConflictDoNothing({ target: [dunningEvents.invoiceNumber, dunningEvents.stepKey] })
    .returning({ stepKey: dunningEvents.stepKey });
  return { created: rows.length > 0 };
}

export async function listDunningEvents(db: Db, invoiceNumber: string): Promise<DunningEventRow[]> {
  return db
    .select()
    .from(dunningEvents)
    .where(eq(dunningEvents.invoiceNumber, invoiceNumber))
    .orderBy(asc(dunningEvents.sentAt), asc(dunningEvents.level), asc(dunningEvents.stepKey));
}

/** Posts the invoice's write-off once; a repeat is a no-op and keeps the first approval. */
export async function recordWriteOff(
  db: Db,
  w: { invoiceNumber: string; amountMinor: number; approvedBy: string; reason: string; postedAt: Date },
): Promise<{ created: boolean }> {
  const rows = await db
    .insert(writeOffs)
    .values(w)
    .onConflictDoNothing({ target: writeOffs.invoiceNumber })
    .returning({ invoiceNumber: writeOffs.invoiceNumber });
  return { created: rows.length > 0 };
}

export async function getWriteOff(db: Db, invoiceNumber: string): Promise<WriteOffRow | undefined> {
  const [row] = await db.select().from(writeOffs).where(eq(writeOffs.invoiceNumber, invoiceNumber));
  return row;
}
