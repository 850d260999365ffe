// Requests that arrive together, on the dev server (the real server's handling of
// concurrent updates; the time-skipping server writes such histories differently).
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { trialBalance } from '../../../db/queries/ledger.js';
import { getOrderRow } from '../../../db/queries/orders.js';
import { getOrderQuery, openDisputeUpdate, recordPaymentUpdate, recordShipmentUpdate } from '../../../workflows/order/contract.js';
import { Worker } from '@temporalio/worker';
import { startDevServer } from '../../helpers/temporal.js';
import { type Harness, eventually, newOrder, refusal, useOrderHarness, startOrder, workflowBundle, payment as pay } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startDevServer, (e, harness) => {
  env = e;
  h = harness;
});


async function invoicedOrder() {
  const input = await newOrder(h);
  const handle = await startOrder(h, input);
  await handle.executeUpdate(recordShipmentUpdate, {
    args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
  });
  return { input, handle };
}

const histories: Array<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>> = [];

describe('concurrent requests', () => {
  it.each([1, 2, 3, 4, 5])('applies two payments that arrive together one after the other, and replays (run %i)', async (run) => {
    const { input, handle } = await invoicedOrder();
    const [a, b] = await Promise.all([
      handle.executeUpdate(recordPaymentUpdate, { args: [pay(`same-time-a-${run}-${input.orderId}`, 100_000)] }),
      handle.executeUpdate(recordPaymentUpdate, { args: [pay(`same-time-b-${run}-${input.orderId}`, 100_000)] }),
    ]);
    expect([a.duplicate, b.duplicate]).toEqual([false, false]);
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    // A query on a closed order replays its whole history on the worker.
    const view = await handle.query(getOrderQuery);
    histories.push(await handle.fetchHistory());
    // 1,800.00 owed: one payment applied in full, the other 800.00 applied and 200.00 kept.
    expect(view.payments.map((p) => p.appliedMinor).sort((a, b) => a - b)).toEqual([80_000, 100_000]);
    expect(view.customerCreditMinor).toBe(20_000);
    const ledger = await trialBalance(h.database.db, input.orderId);
    expect(ledger.byAccount.accounts_receivable ?? 0).toBe(0);
    expect(ledger.byAccount.customer_credit).toBe(-20_000);
    // Whichever payment settled the order and closed its books, the state kept for reads
    // after retention is the final one, with both payments.
    expect((await getOrderRow(h.database.db, input.orderId))?.finalView).toEqual(view);
  });

  it('refuses a dispute while the payment that settles the order is closing its books', async () => {
    const { input, handle } = await invoicedOrder();
    const invoiceNumber = (await handle.query(getOrderQuery)).invoice!.invoiceNumber;
    // Held at the database: the payment's application waits on the invoice row.
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: (holder: number) => void;
    const isLocked = new Promise<number>((resolve) => {
      locked = resolve;
    });
    const holding = h.database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from invoices where invoice_number = ${invoiceNumber} for update`);
      const [me] = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as Array<{ pid: number }>;
      locked(me!.pid);
      await released;
    });
    const holder = await isLocked;
    const paying = handle.executeUpdate(recordPaymentUpdate, { args: [pay(`settles-${input.orderId}`, 180_000)] });
    try {
      // The payment is being applied: its session waits on this test's lock (not any lock
      // anywhere on the server, which other test files' sessions may be waiting on).
      await eventually(async () => {
        const [waiting] = await h.database.rows<{ n: number }>(
          sql`select count(*)::int as n from pg_stat_activity where ${holder}::int = any(pg_blocking_pids(pid))`,
        );
        expect(waiting!.n).toBeGreaterThan(0);
      });
      const reason = await refusal(
        handle.executeUpdate(openDisputeUpdate, {
          args: [{ disputeId: 'late', amountMinor: 10_000, reason: 'damaged', openedBy: 'alice@finance' }],
        }),
      );
      expect(reason).toBe('a payment that settles the order is being applied; try again in a moment');
    } finally {
      release();
      await holding;
    }
    expect((await paying).order.status).toBe('closed');
    const view = await handle.query(getOrderQuery);
    expect(view.disputes).toEqual([]);
    expect((await getOrderRow(h.database.db, input.orderId))?.finalView).toEqual(view);
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


  it('keeps the row in step when the shipment that completes the order arrives with another', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    await Promise.all([
      handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'first', lines: [{ lineId: 'l1', quantity: 10 }] }] }),
      handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'second', lines: [{ lineId: 'l2', quantity: 2 }] }] }),
    ]);
    const view = await handle.query(getOrderQuery);
    expect(view).toMatchObject({ status: 'awaiting_payment', balanceMinor: 180_000 });
    await eventually(async () => {
      expect(await getOrderRow(h.database.db, input.orderId)).toMatchObject({
        status: 'awaiting_payment',
        amountDueMinor: 180_000,
        invoiceNumber: view.invoice!.invoiceNumber,
      });
    });
    histories.push(await handle.fetchHistory());
    await handle.terminate('test done');
  });

  it('replays every history written above without nondeterminism', async () => {
    expect(histories.length).toBeGreaterThan(0);
    for (const history of histories) {
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history);
    }
  });
});
