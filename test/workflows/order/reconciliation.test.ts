import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { listNotifications } from '../../../db/queries/notifications.js';
import { getOrderRow } from '../../../db/queries/orders.js';
import {
  getOrderQuery,
  retryOrderUpdate,
  recordPaymentUpdate,
  recordShipmentUpdate,
} from '../../../workflows/order/contract.js';
import { startTimeSkippingServer } from '../../helpers/temporal.js';
import { type Harness, applyStrayCash, eventually, newOrder, recordHistory, postStrayCash, useOrderHarness, startOrder } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startTimeSkippingServer, (e, harness) => {
  env = e;
  h = harness;
});

describe('reconciliation', () => {
  it('stops in reconciliation_failed when the books disagree, for a person to fix, and never closes silently', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    const invoiced = await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
    });
    await applyStrayCash(h, input, invoiced.invoice!.invoiceNumber);
    await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ paymentReference: 'full', amountMinor: 180_000, currency: 'USD', method: 'bank_transfer', receivedAt: '2026-12-03T00:00:00Z' }],
    });

    const failed = await eventually(async () => {
      const view = await handle.query(getOrderQuery);
      expect(view.status).toBe('reconciliation_failed');
      return view;
    });
    expect(failed.closedReason).toMatch(/1000/);
    expect((await getOrderRow(h.database.db, input.orderId))?.status).toBe('reconciliation_failed');
    await eventually(async () => {
      const notices = await listNotifications(h.database.db, 'order', input.orderId);
      expect(notices.map((n) => [n.template, n.recipient])).toContainEqual(['reconciliation_failed', 'finance']);
    });
    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');

    // Finance posts the cash to the ledger as well and asks for the proof again.
    await postStrayCash(h, input, invoiced.invoice!.invoiceNumber);
    await handle.executeUpdate(retryOrderUpdate, { args: [{ requestedBy: 'alice@finance' }] });
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    await recordHistory(handle, 'reconciliation-failed-then-retried');
  });
});
