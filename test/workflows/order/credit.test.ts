import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../../db/queries/audit.js';
import { listNotifications } from '../../../db/queries/notifications.js';
import { getOrderRow } from '../../../db/queries/orders.js';
import { decideCreditUpdate, getOrderQuery, recordShipmentUpdate } from '../../../workflows/order/contract.js';
import { startTimeSkippingServer } from '../../helpers/temporal.js';
import { HOUR, type Harness, eventually, newOrder, refusal, useOrderHarness, startOrder, recordHistory } from './harness.js';

// The order totals 1,800.00 (1,500.00 + 20% tax); the policy rejects above 150% of the limit.
const HELD_LIMIT = 150_000; // 1,800 > 1,500 but ≤ 2,250: held
const REJECTED_LIMIT = 100_000; // 1,800 > 1,500 = 150% of 1,000: rejected outright

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startTimeSkippingServer, (e, harness) => {
  env = e;
  h = harness;
});

async function heldOrder() {
  const input = await newOrder(h, { creditLimitMinor: HELD_LIMIT });
  const handle = await startOrder(h, input);
  // Queries do not skip time; poll until the first tasks ran.
  const view = await eventually(async () => {
    const current = await handle.query(getOrderQuery);
    expect(current.status).toBe('credit_hold');
    return current;
  });
  return { input, handle, view };
}

describe('credit', () => {
  it('refuses at once a shipment that arrived during the credit check when the order is held', async () => {
    const input = await newOrder(h, { creditLimitMinor: HELD_LIMIT });
    const handle = await startOrder(h, input);
    // Sent straight after the start: it lands while the automatic check runs, waits for its
    // outcome, and is refused when the outcome is a hold rather than kept waiting for finance.
    const reason = await refusal(
      handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'early', lines: [{ lineId: 'l1', quantity: 1 }] }] }),
    );
    expect(reason).toBe('the order is credit_hold: it takes no shipments');
    expect(await handle.query(getOrderQuery)).toMatchObject({ status: 'credit_hold', shipments: [] });
    await handle.terminate('test done');
  });

  it('holds an order over the limit and lets finance approve it, recording who decided', async () => {
    const { input, handle, view } = await heldOrder();
    expect(view.status).toBe('credit_hold');
    expect(view.credit).toMatchObject({ outcome: 'held', exposureMinor: 180_000, limitMinor: HELD_LIMIT });
    expect(view.credit.reasons.join(' ')).toMatch(/exceeds/);

    const approved = await handle.executeUpdate(decideCreditUpdate, {
      args: [{ decision: 'approve', decidedBy: 'alice@finance', comment: 'long-standing customer' }],
    });
    expect(approved.status).toBe('awaiting_shipment');
    // The answer is the order once it has gone on: its shipment deadline set.
    expect(approved.nextStep?.what).toBe('cancel what has not shipped');
    expect(approved.nextStep).toEqual((await handle.query(getOrderQuery)).nextStep);
    expect(approved.credit).toMatchObject({ outcome: 'approved', decidedBy: 'alice@finance', comment: 'long-standing customer' });

    const audit = await listAuditEvents(h.database.db, 'order', input.orderId);
    expect(audit).toEqual([expect.objectContaining({ actor: 'alice@finance', action: 'credit.approved', actorKind: 'finance' })]);
    const notices = await listNotifications(h.database.db, 'order', input.orderId);
    expect(notices.map((n) => [n.template, n.recipient])).toEqual([['credit_review_requested', 'finance']]);

    expect(await refusal(handle.executeUpdate(decideCreditUpdate, { args: [{ decision: 'reject', decidedBy: 'bob' }] }))).toBe(
      'no credit decision is pending (order is awaiting_shipment)',
    );
    await handle.terminate('test done');
    await recordHistory(handle, 'credit-hold-approved');
  });

  it('closes a rejected order, tells the customer and issues no invoice', async () => {
    const { input, handle } = await heldOrder();
    const rejected = await handle.executeUpdate(decideCreditUpdate, {
      args: [{ decision: 'reject', decidedBy: 'alice@finance', comment: 'too much exposure' }],
    });
    expect(rejected.status).toBe('credit_rejected');
    expect(await handle.result()).toMatchObject({ status: 'credit_rejected' });
    const view = await handle.query(getOrderQuery);
    expect(view.invoice).toBeNull();
    const notices = await listNotifications(h.database.db, 'order', input.orderId);
    expect(notices.map((n) => n.template)).toEqual(['credit_review_requested', 'order_rejected_credit']);
    expect(notices[1]?.recipient).toBe(`ap@${input.customerId}.example`);
    expect((await getOrderRow(h.database.db, input.orderId))?.status).toBe('credit_rejected');
    await recordHistory(handle, 'credit-hold-rejected');
  });

  it('rejects automatically far over the limit', async () => {
    const input = await newOrder(h, { creditLimitMinor: REJECTED_LIMIT });
    const handle = await startOrder(h, input);
    expect(await handle.result()).toMatchObject({ status: 'credit_rejected' });
    const view = await handle.query(getOrderQuery);
    expect(view.credit).toMatchObject({ outcome: 'rejected', decidedBy: 'system' });
    // Told once, by the last entry, with the reasons.
    const told = view.timeline.filter((entry) => entry.event === 'credit rejected');
    expect(told).toEqual([expect.objectContaining({ detail: view.closedReason })]);
    await recordHistory(handle, 'credit-rejected-automatically');
  });

  it('escalates a hold nobody decides within the SLA, then cancels it at the deadline', async () => {
    const { input, handle } = await heldOrder();
    await env.sleep(4 * HOUR + 60_000);
    const escalated = await handle.query(getOrderQuery);
    expect(escalated.credit.escalationLevel).toBe(1);
    await eventually(async () => {
      const notices = await listNotifications(h.database.db, 'order', input.orderId);
      expect(notices.map((n) => n.template)).toEqual(['credit_review_requested', 'credit_review_escalated']);
    });
    expect((await handle.query(getOrderQuery)).nextStep?.what).toBe('cancel for want of a credit decision');

    expect(await handle.result()).toEqual({ status: 'cancelled', closedReason: 'no credit decision by the deadline' });
    const row = await getOrderRow(h.database.db, input.orderId);
    expect(row).toMatchObject({ status: 'cancelled' });
    expect(row?.closedAt).toBeInstanceOf(Date);
    await recordHistory(handle, 'credit-hold-escalated-then-cancelled');
  });
});
