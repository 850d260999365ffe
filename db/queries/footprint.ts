import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../client.js';

export interface TableFootprint {
  table: string;
  rows: number;
  /** Heap, indexes and TOAST together. */
  bytes: number;
}

/** Exact row counts and on-disk size of every table of ours (what an order costs to keep). */
export async function tableFootprints(database: DatabaseHandle): Promise<TableFootprint[]> {
  const tables = await database.rows<{ name: string; bytes: string }>(sql`
    select c.relname as name, pg_total_relation_size(c.oid)::text as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname = 'public' and c.relname not like '\\_\\_drizzle%'
    order by c.relname`);
  const out: TableFootprint[] = [];
  for (const t of tables) {
    const [count] = await database.rows<{ n: string }>(sql`select count(*)::text as n from ${sql.identifier(t.name)}`);
    out.push({ table: t.name, rows: Number(count!.n), bytes: Number(t.bytes) });
  }
  return out;
}

/** Rows and bytes of all our tables together. */
export async function totalFootprint(database: DatabaseHandle): Promise<{ rows: number; bytes: number }> {
  const tables = await tableFootprints(database);
  return tables.reduce((sum, t) => ({ rows: sum.rows + t.rows, bytes: sum.bytes + t.bytes }), { rows: 0, bytes: 0 });
}
