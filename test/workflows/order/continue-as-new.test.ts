// A long-lived order keeps its history bounded: when the server suggests it, the order
// continues as new with all its state. The dev server is told to suggest it early.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { listJournalEntries } from '../../../db/queries/ledger.js';
import { listNotifications } from '../../../db/queries/notifications.js';
import {
  getOrderQuery,
  orderWorkflowId,
  retryOrderUpdate,
  recordPaymentUpdate,
  recordShipmentUpdate,
} from '../../../workflows/order/contract.js';
import type { orderWorkflow } from '../../../workflows/order/workflow.js';
import { startDevServer } from '../../helpers/temporal.js';
import { type Harness, applyStrayCash, eventually, newOrder, recordHistory, postStrayCash, useOrderHarness, startOrder } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
const devServerSuggestingEarly = () =>
  startDevServer({ extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'] });
useOrderHarness(devServerSuggestingEarly, (e, harness) => {
  env = e;
  h = harness;
});

describe('continue-as-new', () => {
  it('rolls a long history over, carrying every payment, and still closes the books', async () => {
    const input = await newOrder(h);
    const started = await startOrder(h, input);
    const firstRunId = started.firstExecutionRunId;
    // Callers address the order by its workflow ID alone, so messages follow it across runs.
    const handle = env.client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(input.orderId));
    await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
    });
    // 1,800.00 in twelve instalments of 150.00.
    for (let i = 1; i <= 12; i++) {
      const ref = `inst-${i}`;
      const answer = await handle.executeUpdate(recordPaymentUpdate, {
        args: [{ paymentReference: ref, amountMinor: 15_000, currency: 'USD', method: 'card', receivedAt: '2026-12-01T00:00:00Z' }],
      });
      expect(answer.balanceMinor).toBe(180_000 - i * 15_000);
      // A reference from before the rollover is still recognised after it.
      if (i === 11) {
        const again = await handle.executeUpdate(recordPaymentUpdate, {
          args: [{ paymentReference: 'inst-1', amountMinor: 15_000, currency: 'USD', method: 'card', receivedAt: '2026-12-01T00:00:00Z' }],
        });
        expect(again.duplicate).toBe(true);
      }
    }
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    const last = await handle.describe();
    expect(last.runId).not.toBe(firstRunId);
    const view = await handle.query(getOrderQuery);
    expect(view.payments).toHaveLength(12);
    expect(view.timeline.map((t) => t.event)).toContain('history rolled over');
    const entries = await listJournalEntries(h.database.db, input.orderId);
    expect(entries.filter((e) => e.kind === 'payment')).toHaveLength(12);
    expect(entries.filter((e) => e.kind === 'invoice')).toHaveLength(1);
    await recordHistory(env.client.workflow.getHandle(orderWorkflowId(input.orderId), firstRunId), 'continue-as-new-first-run');
    await recordHistory(handle, 'continue-as-new-last-run');
  });

  it('rolls over while a failed reconciliation waits for a person, and tries again only when asked', async () => {
    const input = await newOrder(h);
    const started = await startOrder(h, input);
    const handle = env.client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(input.orderId));
    const invoiced = await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
    });
    await applyStrayCash(h, input, invoiced.invoice!.invoiceNumber);
    await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ paymentReference: `full-${input.orderId}`, amountMinor: 180_000, currency: 'USD', method: 'card', receivedAt: '2026-12-03T00:00:00Z' }],
    });
    // Each request fails again and lengthens the history until the server suggests a rollover.
    let attempts = 1;
    while ((await handle.describe()).runId === started.firstExecutionRunId) {
      await eventually(async () => {
        const failures = (await handle.query(getOrderQuery)).timeline.filter((t) => t.event === 'reconciliation failed');
        expect(failures).toHaveLength(attempts);
      });
      await handle.executeUpdate(retryOrderUpdate, { args: [{ requestedBy: 'alice@finance' }] });
      attempts += 1;
    }
    const view = await eventually(async () => {
      const current = await handle.query(getOrderQuery);
      expect(current.timeline.map((t) => t.event)).toContain('history rolled over');
      expect(current.status).toBe('reconciliation_failed');
      return current;
    });
    // The new run waits for a person instead of trying again by itself.
    expect(view.timeline.filter((t) => t.event === 'reconciliation failed')).toHaveLength(attempts);
    const notices = await listNotifications(h.database.db, 'order', input.orderId);
    expect(notices.filter((n) => n.template === 'reconciliation_failed')).toHaveLength(attempts);

    await postStrayCash(h, input, invoiced.invoice!.invoiceNumber);
    await handle.executeUpdate(retryOrderUpdate, { args: [{ requestedBy: 'alice@finance' }] });
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
  });
});
