import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apiKeys } from '../schema/access.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApiRole = ApiKeyRow['role'];

export interface NewApiKey {
  id: string;
  name: string;
  role: ApiRole;
  secretSha256: string;
}

/**
 * Stores a key once per secret: registering the same secret again (a bootstrap key on
 * every start) changes nothing. A live key with the same name but another secret is refused.
 */
export async function registerApiKey(db: Db, key: NewApiKey): Promise<{ created: boolean }> {
  const rows = await db
    .insert(apiKeys)
    .values(key)
    .onConflictDoNothing({ target: apiKeys.secretSha256 })
    .returning({ id: apiKeys.id });
  return { created: rows.length > 0 };
}

/** The live key with this digest, if any. */
export async function findLiveApiKey(db: Db, secretSha256: string): Promise<Pick<ApiKeyRow, 'id' | 'name' | 'role'> | undefined> {
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, role: apiKeys.role })
    .from(apiKeys)
    .where(and(eq(apiKeys.secretSha256, secretSha256), isNull(apiKeys.revokedAt)));
  return row;
}

export async function listApiKeys(db: Db): Promise<Array<Omit<ApiKeyRow, 'secretSha256'>>> {
  return db
    .select({ id: apiKeys.id, name: apiKeys.name, role: apiKeys.role, createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

export async function countLiveApiKeys(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(apiKeys).where(isNull(apiKeys.revokedAt));
  return row?.n ?? 0;
}

/** Revokes the live key with this name or ID; false when there is none. */
export async function revokeApiKey(db: Db, nameOrId: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(isNull(apiKeys.revokedAt), sql`(${apiKeys.name} = ${nameOrId} or ${apiKeys.id} = ${nameOrId})`))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}
