// Requests that arrive together, on the dev server (the real server's handling of
// concurrent updates; the time-skipping server writes such histories differently).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialBalance } from '../../../db/queries/ledger.js';
import { getOrderQuery, recordPaymentUpdate, recordShipmentUpdate } from '../../../workflows/order/contract.js';
import { startDevServer } from '../../helpers/temporal.js';
import { type Harness, newOrder, startHarness, startOrder } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
beforeAll(async () => {
  env = await startDevServer();
  h = await startHarness(env);
});
afterAll(async () => {
  await h?.stop();
  await env?.teardown();
});

const pay = (ref: string, amountMinor: number) => ({
  paymentReference: ref,
  amountMinor,
  currency: 'USD',
  method: 'card' as const,
  receivedAt: '2026-12-01T10:00:00Z',
});

async function invoicedOrder() {
  const input = await newOrder(h);
  const handle = await startOrder(h, input);
  await handle.executeUpdate(recordShipmentUpdate, {
    args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
  });
  return { input, handle };
}

describe('concurrent requests', () => {
  // Known defect, left open: with two payments in flight at once the order's money is right
  // (one applied, one credit), but replaying the history (a query on the closed order, or a
  // worker cache eviction) fails with a nondeterminism error between a search-attribute
  // upsert and the other update's completion. Unskip when the handlers no longer run local
  // activities concurrently.
  it.skip('applies two payments that arrive together one after the other, the second as credit', async () => {
    const { input, handle } = await invoicedOrder();
    const [a, b] = await Promise.all([
      handle.executeUpdate(recordPaymentUpdate, { args: [pay('same-time-a', 180_000)] }),
      handle.executeUpdate(recordPaymentUpdate, { args: [pay('same-time-b', 180_000)] }),
    ]);
    expect([a.duplicate, b.duplicate]).toEqual([false, false]);
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    const view = await handle.query(getOrderQuery);
    expect(view.payments.map((p) => p.appliedMinor).sort()).toEqual([0, 180_000]);
    expect(view.customerCreditMinor).toBe(180_000);
    const ledger = await trialBalance(h.database.db, input.orderId);
    expect(ledger.byAccount.accounts_receivable ?? 0).toBe(0);
    expect(ledger.byAccount.customer_credit).toBe(-180_000);
  });

  it('never ships more than ordered when two shipments arrive together', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    const results = await Promise.allSettled([
      handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'a', lines: [{ lineId: 'l1', quantity: 10 }] }] }),
      handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'b', lines: [{ lineId: 'l1', quantity: 10 }] }] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await handle.query(getOrderQuery)).shippedQuantities.l1).toBe(10);
    await handle.terminate('test done');
  });

});
