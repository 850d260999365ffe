import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
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

export async function getCustomer(db: Db, id: string): Promise<Customer | undefined> {
  const rows = await db.select().from(customers).where(eq(customers.id, id));
  return rows[0];
}
