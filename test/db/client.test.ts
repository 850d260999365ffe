import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, MAX_PREPARED_PARAMETERS, openDatabase } from '../../db/client.js';
import { createCustomer, getCustomer } from '../../db/queries/customers.js';
import { createScratchDatabase, uniqueId } from '../helpers/database.js';

describe('postgres client', () => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const scratch = await createScratchDatabase();
    drop = scratch.drop;
    // One connection, so that every statement below sees the same session's prepared statements.
    handle = await openDatabase({ kind: 'postgres', url: scratch.url, maxConnections: 1 });
    await handle.migrate();
  });

  afterAll(async () => {
    await handle?.close();
    await drop();
  });

  const prepared = (like: string) =>
    handle.rows<{ n: number }>(sql`select count(*)::int as n from pg_prepared_statements where statement like ${like}`);

  it('prepares each query text once per connection and reuses it', async () => {
    const id = uniqueId('cust');
    await createCustomer(handle.db, { id, name: 'Prepared Ltd', currency: 'EUR', creditLimitMinor: 1000, paymentTermsDays: 30, contactEmail: null });
    for (let i = 0; i < 3; i += 1) expect((await getCustomer(handle.db, id))?.name).toBe('Prepared Ltd');
    expect(await prepared('select % from "customers" where "customers"."id" = $1%')).toEqual([{ n: 1 }]);
  });

  it('keeps no statement with more parameters than the cap: its text varies with the length of a list', async () => {
    const listOf = (n: number) =>
      sql`select ${sql.join(
        Array.from({ length: n }, (_, i) => sql`${i}::int as c${sql.raw(String(i))}`),
        sql`, `,
      )} -- ${sql.raw(`list of ${n}`)}`;
    expect(await handle.rows(listOf(MAX_PREPARED_PARAMETERS))).toHaveLength(1);
    expect(await handle.rows(listOf(MAX_PREPARED_PARAMETERS + 1))).toHaveLength(1);
    expect(await prepared(`%-- list of ${MAX_PREPARED_PARAMETERS}`)).toEqual([{ n: 1 }]);
    expect(await prepared(`%-- list of ${MAX_PREPARED_PARAMETERS + 1}`)).toEqual([{ n: 0 }]);
  });

  it('prepares again a statement whose plan a schema change made stale', async () => {
    await handle.db.execute(sql`create table stale_plan (a int)`);
    await handle.db.execute(sql`insert into stale_plan values (1)`);
    // A query with no parameter goes by the simple protocol, which prepares nothing.
    const read = () => handle.rows<Record<string, number | null>>(sql`select * from stale_plan where a = ${1}`);
    expect(await read()).toEqual([{ a: 1 }]);
    expect(await prepared('select * from stale_plan where a = $1')).toEqual([{ n: 1 }]);
    await handle.db.execute(sql`alter table stale_plan add column b int`);
    // PostgreSQL refuses the old plan (its result type changed); the client prepares anew.
    expect(await read()).toEqual([{ a: 1, b: null }]);
  });
});
