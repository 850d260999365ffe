import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { listAuditEvents, recordAuditEvent } from '../../db/queries/audit.js';
import { customers } from '../../db/schema/customers.js';
import { createScratchDatabase, uniqueId } from '../helpers/database.js';

// Tables the committed migrations must create; later migrations may add more.
const EXPECTED_TABLES = [
  'audit_events',
  'credit_notes',
  'customer_credits',
  'customers',
  'disputes',
  'dunning_events',
  'invoice_fees',
  'invoice_lines',
  'invoice_series',
  'invoices',
  'journal_entries',
  'journal_lines',
  'notifications',
  'order_lines',
  'orders',
  'payment_applications',
  'payments',
  'shipment_lines',
  'shipments',
  'write_offs',
];

// The same committed migrations and queries on both databases the engine runs on.
describe.each(['postgres', 'pglite'] as const)('migrations on %s', (kind) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    if (kind === 'postgres') {
      const scratch = await createScratchDatabase();
      drop = scratch.drop;
      handle = await openDatabase({ kind: 'postgres', url: scratch.url, maxConnections: 2 });
    } else {
      handle = await openDatabase({ kind: 'pglite' });
    }
    await handle.migrate();
  });
  afterAll(async () => {
    await handle?.close();
    await drop();
  });

  async function tableNames(): Promise<string[]> {
    const rows = await handle.rows<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    return rows.map((r) => r.table_name);
  }

  it('creates the schema from an empty database', async () => {
    expect(await tableNames()).toEqual(expect.arrayContaining(EXPECTED_TABLES));
    const enums = await handle.rows(sql`select enum_range(null::actor_kind)::text as labels`);
    expect(enums).toEqual([{ labels: '{system,service,finance,operator}' }]);
  });

  it('is a no-op on an up-to-date database', async () => {
    const applied = sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    const before = await handle.rows<{ n: number }>(applied);
    expect(before[0]?.n).toBeGreaterThan(0);
    await handle.migrate();
    expect(await handle.rows(applied)).toEqual(before);
    expect(await tableNames()).toEqual(expect.arrayContaining(EXPECTED_TABLES));
  });

  it('enforces money and currency rules in the database itself', async () => {
    const insert = (id: string, creditLimitMinor: number, currency: string) =>
      handle.db.insert(customers).values({ id, name: 'Acme', currency, creditLimitMinor, paymentTermsDays: 30 });
    await expect(insert(uniqueId('cust'), -1, 'USD')).rejects.toThrow();
    await expect(insert(uniqueId('cust'), 100, 'usd')).rejects.toThrow();
    await insert(uniqueId('cust'), 500_000_00, 'EUR');
  });

  it('turns a repeated audit write into a no-op through the unique event key', async () => {
    const subjectId = uniqueId('order');
    const event = {
      eventKey: `order:${subjectId}:credit-decision`,
      actorKind: 'finance' as const,
      actor: 'alice',
      action: 'credit.approved',
      subjectType: 'order',
      subjectId,
      detail: { comment: 'long-standing customer' },
    };
    expect(await recordAuditEvent(handle.db, event)).toEqual({ recorded: true });
    expect(await recordAuditEvent(handle.db, event)).toEqual({ recorded: false });
    const events = await listAuditEvents(handle.db, 'order', subjectId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'alice', detail: { comment: 'long-standing customer' } });
    expect(events[0]?.occurredAt).toBeInstanceOf(Date);
  });
});
