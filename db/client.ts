// One factory for both databases: postgres.js against a real PostgreSQL (production,
// tests) and PGlite for the zero-configuration `npm start`. Callers get the same drizzle
// type either way and never branch on which one they hold.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema>;
/** What query functions take first: the database or a transaction on it. */
export type Db = Database | Transaction;

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; maxConnections?: number }
  /** `dataDir` persists to disk; without it the database lives in memory. */
  | { kind: 'pglite'; dataDir?: string };

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: DatabaseTarget['kind'];
  /** Applies committed migrations; safe to call on an up-to-date database. */
  migrate(): Promise<void>;
  /** Rows of a raw query; drivers shape `execute` results differently, this does not. */
  rows<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Throws unless the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Statements with more parameters than this are not kept prepared (see `preparingQueries`). */
export const MAX_PREPARED_PARAMETERS = 64;

/**
 * Drizzle sends its queries through postgres.js's `unsafe`, which prepares none unless asked, so
 * PostgreSQL parsed and planned every statement anew. Asked, postgres.js keeps one named
 * statement per query text on each connection until the connection ends (within an hour), and
 * prepares again a plan that a migration made stale. In the bench this took PostgreSQL's CPU
 * per order from 18 to 10 ms.
 * Only statements with few parameters are kept: a multi-row insert or an `in` list has one text
 * per row count, and with hundreds of rows a kept statement holds megabytes of the connection's
 * memory, so a caller could grow it by varying a list's length. Under the cap a query has a few
 * texts at most. Queries in a transaction run on its own connection handle and stay unprepared.
 */
function preparingQueries(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'unsafe') return Reflect.get(target, property, receiver);
      const unsafe = (query: string, parameters?: unknown, options?: postgres.UnsafeQueryOptions) => {
        // postgres.js also takes (query, options).
        if (!Array.isArray(parameters)) return target.unsafe(query, [], (parameters ?? options) as postgres.UnsafeQueryOptions);
        const prepare = Boolean(options?.prepare) || parameters.length <= MAX_PREPARED_PARAMETERS;
        return target.unsafe(query, parameters as postgres.ParameterOrJSON<never>[], { ...options, prepare });
      };
      return unsafe;
    },
  });
}

/**
 * Seconds before a connection tries again after its last attempt failed (postgres.js counts
 * failures across the pool, `retries`, until one connects). postgres.js's own backoff grows to
 * 10-20 s, and a query waiting for a connection waits for its next attempt: with the database
 * stopped, 10 queries at once waited up to 43 s each for their ECONNREFUSED, and once it was
 * back the first answer came 13 s later. Capped at half a second, a stopped database fails
 * each query within about a second (the API answers 503) and the pool is back as soon as the
 * database is. Attempts stay cheap: a refused connection costs the server nothing.
 */
export function reconnectBackoffSeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 0.5);
}

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === 'postgres') {
    const client = postgres(target.url, {
      max: target.maxConnections ?? 10,
      connect_timeout: 5,
      backoff: reconnectBackoffSeconds,
      onnotice: () => {},
    });
    const db = drizzlePostgres(preparingQueries(client), { schema });
    return {
      db: db as unknown as Database,
      kind: 'postgres',
      migrate: () => migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER }),
      rows: async <T extends Record<string, unknown>>(query: SQL) => [...(await db.execute(query))] as T[],
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const client = new PGlite(target.dataDir);
  await client.waitReady;
  const db = drizzlePglite(client, { schema });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    rows: async <T extends Record<string, unknown>>(query: SQL) => (await db.execute(query)).rows as T[],
    ping: async () => {
      if (client.closed) throw new Error('database is closed');
      await db.execute(sql`select 1`);
    },
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}
