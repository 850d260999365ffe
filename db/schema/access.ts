import { sql } from 'drizzle-orm';
import { check, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** What a key may do: service (orders, shipments, payments), finance (decisions), operator (read). */
export const apiRole = pgEnum('api_role', ['service', 'finance', 'operator']);

// API keys. Only a SHA-256 digest of each secret is kept: the secrets are long random
// tokens, so a fast digest is enough, and a stolen table lets no one call the API.
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    /** Recorded as the actor on every decision made with the key. */
    name: text('name').notNull(),
    role: apiRole('role').notNull(),
    secretSha256: text('secret_sha256').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_secret_sha256_unique').on(t.secretSha256),
    // One live key per name, so the name in the audit trail points at one key.
    uniqueIndex('api_keys_live_name_unique').on(t.name).where(sql`${t.revokedAt} is null`),
    check('api_keys_name_not_blank', sql`length(trim(${t.name})) > 0`),
  ],
);
