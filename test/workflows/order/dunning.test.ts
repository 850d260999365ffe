import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { listDunningEvents } from '../../../db/queries/collections.js';
import { trialBalance } from '../../../db/queries/ledger.js';
import { getOrderRow } from '../../../db/queries/orders.js';
import { listNotifications } from '../../../db/queries/notifications.js';
import {
  type InvoiceState,
  type OrderInput,
  getOrderQuery,
  openDisputeUpdate,
  recordPaymentUpdate,
  recordShipmentUpdate,
  resolveDisputeUpdate,
  writeOffUpdate,
} from '../../../workflows/order/contract.js';
import { dunningSchedule } from '../../../workflows/order/rules/dunning.js';
import type { orderWorkflow } from '../../../workflows/order/workflow.js';
import { startTimeSkippingServer } from '../../helpers/temporal.js';
import { DAY, type Harness, eventually, newOrder, payment, refusal, useOrderHarness, startOrder, recordHistory } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startTimeSkippingServer, (e, harness) => {
  env = e;
  h = harness;
});

async function invoicedOrder(): Promise<{ input: OrderInput; handle: WorkflowHandle<typeof orderWorkflow>; invoice: InvoiceState }> {
  const input = await newOrder(h);
  const handle = await startOrder(h, input);
  const view = await handle.executeUpdate(recordShipmentUpdate, {
    args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
  });
  return { input, handle, invoice: view.invoice! };
}

/** Sleeps (in server time) until just after `iso`. */
async function sleepUntil(iso: string): Promise<void> {
  const ms = Date.parse(iso) - (await serverNow()) + 60_000;
  if (ms > 0) await env.sleep(ms);
}

async function serverNow(): Promise<number> {
  const time = await env.connection.testService!.getCurrentTime({});
  return Number(time.time?.seconds ?? 0) * 1000 + Math.floor((time.time?.nanos ?? 0) / 1e6);
}

describe('dunning', () => {
  it('walks an unpaid invoice through every level to collections, each notice once at its time, then writes it off', async () => {
    const { input, handle, invoice } = await invoicedOrder();
    const schedule = dunningSchedule(invoice.dueDate, input.policy.dunning);
    expect(schedule.map((s) => s.key)).toEqual(['pre-due', 'level-1', 'level-2', 'level-3', 'collections']);

    // Just before level 2, only the reminder and level 1 are out.
    await sleepUntil(schedule[1]!.at);
    await eventually(async () => {
      expect((await listDunningEvents(h.database.db, invoice.invoiceNumber)).map((e) => e.stepKey)).toEqual(['pre-due', 'level-1']);
    });
    expect((await handle.query(getOrderQuery)).status).toBe('overdue');

    await sleepUntil(schedule[4]!.at);
    const events = await eventually(async () => {
      const rows = await listDunningEvents(h.database.db, invoice.invoiceNumber);
      expect(rows).toHaveLength(5);
      return rows;
    });
    // Each at its time: never before it, and before the next step's (none waits to go out with
    // a later one). Server time, so how busy the machine is does not matter.
    expect(events.map((e) => e.stepKey)).toEqual(schedule.map((s) => s.key));
    const sentBy = await serverNow();
    events.forEach((e, i) => {
      expect(e.sentAt.getTime(), e.stepKey).toBeGreaterThanOrEqual(Date.parse(schedule[i]!.at));
      expect(e.sentAt.getTime(), e.stepKey).toBeLessThan(i + 1 < schedule.length ? Date.parse(schedule[i + 1]!.at) : sentBy);
    });
    // Fees are receivables of their own: each later notice quotes them.
    expect(events.map((e) => e.amountQuotedMinor)).toEqual([180_000, 180_000, 181_500, 184_500, 184_500]);

    const view = await handle.query(getOrderQuery);
    expect(view).toMatchObject({ status: 'in_collections', dunningLevel: 4, balanceMinor: 184_500 });
    expect(view.fees.map((f) => [f.level, f.amountMinor])).toEqual([
      [2, 1_500],
      [3, 3_000],
    ]);
    const notices = await listNotifications(h.database.db, 'order', input.orderId);
    expect(notices.map((n) => n.template)).toEqual([
      'invoice_issued',
      'payment_reminder',
      'friendly_reminder',
      'second_notice',
      'final_notice',
      'collections_handoff',
    ]);

    // Nothing more happens however long it waits; then finance writes it off.
    await env.sleep(60 * DAY);
    expect(await listDunningEvents(h.database.db, invoice.invoiceNumber)).toHaveLength(5);
    // Not while a dispute is open: the write-off would swallow the disputed part unresolved.
    await handle.executeUpdate(openDisputeUpdate, {
      args: [{ disputeId: 'late-d', amountMinor: 10_000, reason: 'short delivery', openedBy: 'collections' }],
    });
    expect(await refusal(handle.executeUpdate(writeOffUpdate, { args: [{ approvedBy: 'cfo', reason: 'customer insolvent' }] }))).toBe(
      'resolve the open dispute(s) first: late-d',
    );
    await handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ disputeId: 'late-d', outcome: 'rejected', resolvedBy: 'alice@finance' }],
    });
    const written = await handle.executeUpdate(writeOffUpdate, { args: [{ approvedBy: 'cfo', reason: 'customer insolvent' }] });
    expect(written).toMatchObject({ status: 'closed', writtenOffMinor: 184_500, balanceMinor: 0 });
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'written off' });
    const ledger = await trialBalance(h.database.db, input.orderId);
    expect(ledger.byAccount).toMatchObject({ bad_debt_expense: 184_500, fee_income: -4_500 });
    expect(ledger.byAccount.accounts_receivable ?? 0).toBe(0);
    await recordHistory(handle, 'dunning-to-collections-then-written-off');
  });

  it('never leaves a write-off hanging on a payment that settles the balance at the same moment', async () => {
    const { handle, invoice, input } = await invoicedOrder();
    const schedule = dunningSchedule(invoice.dueDate, input.policy.dunning);
    await sleepUntil(schedule.at(-1)!.at);
    await eventually(async () => expect((await handle.query(getOrderQuery)).status).toBe('in_collections'));
    const balance = (await handle.query(getOrderQuery)).balanceMinor;
    const [paid, writtenOff] = await Promise.allSettled([
      handle.executeUpdate(recordPaymentUpdate, { args: [payment('settle', balance)] }),
      handle.executeUpdate(writeOffUpdate, { args: [{ approvedBy: 'cfo', reason: 'customer insolvent' }] }),
    ]);
    expect(paid.status).toBe('fulfilled');
    // Refused while the payment is applied, or done first: either way it answers.
    if (writtenOff.status === 'rejected') {
      expect(await refusal(Promise.reject(writtenOff.reason))).toMatch(/payment is being applied/);
    }
    expect(await handle.result()).toMatchObject({ status: 'closed' });
    const ledger = await trialBalance(h.database.db, input.orderId);
    expect(ledger.byAccount.accounts_receivable ?? 0).toBe(0);
  });

  it('sends no notice while a dispute is open, however long, and resumes where it stood when it is rejected', async () => {
    const { input, handle, invoice } = await invoicedOrder();
    const schedule = dunningSchedule(invoice.dueDate, input.policy.dunning);
    await sleepUntil(schedule[1]!.at); // level 1 is out
    await eventually(async () => expect(await listDunningEvents(h.database.db, invoice.invoiceNumber)).toHaveLength(2));

    // The pause begins while the opening update is under way and ends while the rejecting one
    // is: the server's clock read around each bounds it, however long each took.
    const openSent = await serverNow();
    const opened = await handle.executeUpdate(openDisputeUpdate, {
      args: [{ disputeId: 'd-1', amountMinor: 180_000, reason: 'goods damaged', openedBy: 'customer-service' }],
    });
    const openAnswered = await serverNow();
    expect(opened.status).toBe('disputed');
    // Dunning paused with no resume date: nothing comes next, and the answer says so.
    expect(opened.nextStep).toBeNull();
    expect((await handle.query(getOrderQuery)).nextStep).toBeNull();
    await env.sleep(60 * DAY);
    expect(await listDunningEvents(h.database.db, invoice.invoiceNumber)).toHaveLength(2);
    expect((await handle.query(getOrderQuery)).status).toBe('disputed');

    const resolveSent = await serverNow();
    const rejected = await handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ disputeId: 'd-1', outcome: 'rejected', resolvedBy: 'alice@finance', comment: 'photos show no damage' }],
    });
    const resolveAnswered = await serverNow();
    expect(rejected.status).toBe('overdue');
    // Level 2 comes as far after the rejection as it was due after the dispute opened.
    const level2 = Date.parse(schedule[2]!.at);
    expect(Date.parse(rejected.nextStep!.at)).toBeGreaterThanOrEqual(level2 + (resolveSent - openAnswered));
    expect(Date.parse(rejected.nextStep!.at)).toBeLessThanOrEqual(level2 + (resolveAnswered - openSent));
    expect(rejected.nextStep!.what).toMatch(/level 2/);
    await sleepUntil(rejected.nextStep!.at);
    const events = await eventually(async () => {
      const rows = await listDunningEvents(h.database.db, invoice.invoiceNumber);
      expect(rows).toHaveLength(3);
      return rows;
    });
    expect(events[2]).toMatchObject({ stepKey: 'level-2', amountQuotedMinor: 181_500 });
    await handle.terminate('test done');
    await recordHistory(handle, 'dispute-rejected-dunning-resumes');
  });

  it('credits the accepted part of a dispute, and reconciles once the rest is paid', async () => {
    const { input, handle } = await invoicedOrder();
    await handle.executeUpdate(openDisputeUpdate, {
      args: [{ disputeId: 'd-2', amountMinor: 30_000, reason: 'one gadget arrived broken', openedBy: 'customer-service' }],
    });
    expect(
      await refusal(
        handle.executeUpdate(openDisputeUpdate, {
          args: [{ disputeId: 'd-3', amountMinor: 160_000, reason: 'too much', openedBy: 'customer-service' }],
        }),
      ),
    ).toBe('amountMinor 160000 exceeds the undisputed balance 150000');
    const resolved = await handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ disputeId: 'd-2', outcome: 'accepted', acceptedMinor: 25_000, resolvedBy: 'alice@finance' }],
    });
    expect(resolved.creditNotes).toEqual([expect.objectContaining({ amountMinor: 25_000 })]);
    expect(resolved.balanceMinor).toBe(155_000);
    const paid = await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ paymentReference: 'rest', amountMinor: 155_000, currency: 'USD', method: 'bank_transfer', receivedAt: '2026-12-10T00:00:00Z' }],
    });
    expect(paid.balanceMinor).toBe(0);
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    const ledger = await trialBalance(h.database.db, input.orderId);
    expect(ledger.byAccount).toMatchObject({ cash: 155_000, revenue: -150_000 + 25_000 });
    expect(ledger.byAccount.accounts_receivable ?? 0).toBe(0);
    await recordHistory(handle, 'dispute-accepted-in-part');
  });

  it('closes on the resolution of the last dispute with the read model and final state complete', async () => {
    const { input, handle } = await invoicedOrder();
    await handle.executeUpdate(openDisputeUpdate, {
      args: [{ disputeId: 'd-last', amountMinor: 30_000, reason: 'wrong colour', openedBy: 'customer-service' }],
    });
    const paid = await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ paymentReference: `undisputed-${input.orderId}`, amountMinor: 150_000, currency: 'USD', method: 'bank_transfer', receivedAt: '2026-12-10T00:00:00Z' }],
    });
    expect(paid.order.status).toBe('disputed');
    // The credit note settles the balance: the order reconciles while the resolution is still
    // being recorded and audited.
    await handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ disputeId: 'd-last', outcome: 'accepted', resolvedBy: 'alice@finance' }],
    });
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    const view = await handle.query(getOrderQuery);
    expect(view.timeline.map((t) => t.event)).toEqual(expect.arrayContaining(['dispute accepted', 'closed']));
    const row = await getOrderRow(h.database.db, input.orderId);
    expect(row).toMatchObject({ status: 'closed', amountDueMinor: 0 });
    expect(row?.finalView).toEqual(view);
  });
});
