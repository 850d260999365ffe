// admitOrder takes a new order in with one activity: the order recorded once, its credit
// checked against PostgreSQL, its read model where the outcome leaves it, also when repeated.
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { DatabaseHandle } from '../../db/client.js';
import { upsertCustomer } from '../../db/queries/customers.js';
import { getOrderRow } from '../../db/queries/orders.js';
import type { OrderInput } from '../../workflows/order/contract.js';
import { STANDARD_ORDER_POLICY } from '../../workflows/order/rules/policy.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

async function order(creditLimitMinor: number, unitPriceMinor: number): Promise<OrderInput & { workflowId: string }> {
  const customerId = uniqueId('cust');
  await upsertCustomer(database.db, { id: customerId, name: 'Admit Ltd', currency: 'EUR', creditLimitMinor, paymentTermsDays: 30, contactEmail: null });
  const orderId = uniqueId('ord');
  return {
    orderId,
    workflowId: `order:${orderId}`,
    customerId,
    currency: 'EUR',
    lines: [{ lineId: 'l1', sku: 'S', description: 'Service', quantity: 1, unitPriceMinor }],
    taxRateBps: 0,
    paymentTermsDays: 30,
    policy: STANDARD_ORDER_POLICY,
  };
}

describe('admitOrder', () => {
  it.each([
    ['within the limit', 10_000, 5_000, 'approved'],
    ['over the limit', 10_000, 12_000, 'held'],
    ['far over the limit', 10_000, 50_000, 'rejected'],
  ])('%s: records the order once and assesses it, run twice', async (_, limit, price, outcome) => {
    const input = await order(limit, price);
    const activities = createActivities({ db: database.db });
    const mock = new MockActivityEnvironment({ workflowExecution: { workflowId: input.workflowId, runId: 'run-1' } });
    const first = (await mock.run(activities.admitOrder, input)) as Awaited<ReturnType<typeof activities.admitOrder>>;
    const again = await mock.run(activities.admitOrder, input);
    expect(first.outcome).toBe(outcome);
    expect(again).toEqual(first);
    // The row is recorded as received; the workflow writes where the outcome leaves it.
    expect(await getOrderRow(database.db, input.orderId)).toMatchObject({
      status: 'credit_review',
      totalMinor: price,
      customerId: input.customerId,
      rowRevision: 0,
    });
    const rows = await database.rows<{ n: number }>(sql`select count(*)::int as n from order_lines where order_id = ${input.orderId}`);
    expect(rows).toEqual([{ n: 1 }]);
  });
});
