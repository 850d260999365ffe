import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { auditEvents } from '../schema/audit.js';
import { customers } from '../schema/customers.js';

export type Customer = typeof customers.$inferSelect;

export interface CustomerInput {
  id: string;
  name: string;
  currency: string;
  creditLimitMinor: number;
  paymentTermsDays: number;
  contactEmail: string | null;
}

/** Creates the customer or replaces its terms; repeating the same call changes nothing but `updated_at`. */
export async function upsertCustomer(db: Db, c: CustomerInput): Promise<void> {
  const values = {
    name: c.name,
    currency: c.currency,
    creditLimitMinor: c.creditLimitMinor,
    paymentTermsDays: c.paymentTermsDays,
    contactEmail: c.contactEmail,
  };
  await db
    .insert(customers)
    .values({ id: c.id, ...values })
    .onConflictDoUpdate({ target: customers.id, set: { ...values, updatedAt: sql`now()` } });
}

/**
 * Creates the customer unless one with this ID exists; either way answers with the row as
 * stored, so the caller can tell a repeat (same details) from a clash (other details).
 */
export async function createCustomer(db: Db, c: CustomerInput): Promise<{ created: boolean; customer: Customer }> {
  const [inserted] = await db.insert(customers).values(c).onConflictDoNothing({ target: customers.id }).returning();
  if (inserted) return { created: true, customer: inserted };
  const existing = await getCustomer(db, c.id);
  if (!existing) throw new Error(`customer ${c.id} vanished while being created`);
  return { created: false, customer: existing };
}

export async function getCustomer(db: Db, id: string): Promise<Customer | undefined> {
  const rows = await db.select().from(customers).where(eq(customers.id, id));
  return rows[0];
}

export interface CustomerTermsChange {
  creditLimitMinor?: number;
  paymentTermsDays?: number;
}

/**
 * Changes a customer's limit or terms and records who did it, from what to what, in one
 * transaction: the change and its audit event land together or not at all. The row is
 * locked first, so two changes at once each audit the value the other left. A request that
 * changes nothing (a retry) writes nothing, so every audit event is a real change.
 */
export async function changeCustomerTerms(
  db: Db,
  id: string,
  change: CustomerTermsChange,
  actor: { kind: 'finance' | 'service' | 'operator'; name: string; eventKey: string },
): Promise<Customer | undefined> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(customers).where(eq(customers.id, id)).for('update');
    if (!before) return undefined;
    const changed = (Object.keys(change) as Array<keyof CustomerTermsChange>).filter(
      (key) => change[key] !== undefined && change[key] !== before[key],
    );
    if (changed.length === 0) return before;
    const [after] = await tx
      .update(customers)
      .set({ ...change, updatedAt: sql`now()` })
      .where(eq(customers.id, id))
      .returning();
    const from: Record<string, number> = {};
    const to: Record<string, number> = {};
    for (const key of changed) {
      from[key] = before[key];
      to[key] = after![key];
    }
    await tx
      .insert(auditEvents)
      .values({
        eventKey: actor.eventKey,
        actorKind: actor.kind,
        actor: actor.name,
        action: 'customer.terms_changed',
        subjectType: 'customer',
        subjectId: id,
        detail: { from, to },
      })
      .onConflictDoNothing({ target: auditEvents.eventKey });
    return after;
  });
}
