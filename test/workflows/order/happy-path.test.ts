import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { getInvoice } from '../../../db/queries/billing.js';
import { listJournalEntries, trialBalance } from '../../../db/queries/ledger.js';
import { listNotifications } from '../../../db/queries/notifications.js';
import { getOrderRow } from '../../../db/queries/orders.js';
import {
  OrderSearchAttributes,
  getOrderQuery,
  recordPaymentUpdate,
  recordShipmentUpdate,
} from '../../../workflows/order/contract.js';
import { startTimeSkippingServer } from '../../helpers/temporal.js';
import { DAY, type Harness, LINES, newOrder, useOrderHarness, startOrder, recordHistory, payment as pay } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startTimeSkippingServer, (e, harness) => {
  env = e;
  h = harness;
});


describe('order happy path', () => {
  it('two partial shipments, two partial payments: invoiced, reconciled, journal balanced', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);

    const first = await handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 4 }] }] });
    expect(first.status).toBe('partially_shipped');
    expect(first.invoice).toBeNull();

    const second = await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-2', lines: [{ lineId: 'l1', quantity: 6 }, { lineId: 'l2', quantity: 2 }] }],
    });
    // 10 × 100.00 + 2 × 250.00 = 1,500.00, tax 20% = 300.00
    expect(second.invoice).toMatchObject({ subtotalMinor: 150_000, taxMinor: 30_000, totalMinor: 180_000 });
    expect(second.invoice!.invoiceNumber).toBe(`${input.policy.invoiceSeries}-000001`);
    expect(second.status).toBe('awaiting_payment');
    expect(second.balanceMinor).toBe(180_000);

    // What Temporal UI shows operators, in plain words.
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toBe(
      `waiting for payment of USD 1,800.00, due ${second.invoice!.dueDate}, next friendly reminder on ${second.nextStep!.at.slice(0, 10)}`,
    );
    await env.sleep(5 * DAY);
    const partial = await handle.executeUpdate(recordPaymentUpdate, { args: [pay('pay-1', 80_000)] });
    expect(partial).toMatchObject({ duplicate: false, balanceMinor: 100_000 });
    const full = await handle.executeUpdate(recordPaymentUpdate, { args: [pay('pay-2', 100_000)] });
    expect(full.balanceMinor).toBe(0);

    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    const view = await handle.query(getOrderQuery);
    expect(view.payments.map((p) => p.appliedMinor)).toEqual([80_000, 100_000]);
    expect(view.timeline.map((t) => t.event)).toEqual(
      expect.arrayContaining(['order received', 'credit approved', 'invoice issued', 'payment received', 'closed']),
    );

    const balance = await trialBalance(h.database.db, input.orderId);
    expect(balance.debitsMinor).toBe(balance.creditsMinor);
    expect(balance.byAccount.accounts_receivable ?? 0).toBe(0);
    expect(balance.byAccount.cash).toBe(180_000);
    expect(balance.byAccount.revenue).toBe(-150_000);
    expect(balance.byAccount.tax_payable).toBe(-30_000);
    const entries = await listJournalEntries(h.database.db, input.orderId);
    expect(entries.map((e) => e.kind).sort()).toEqual(['invoice', 'payment', 'payment']);

    const row = await getOrderRow(h.database.db, input.orderId);
    expect(row).toMatchObject({ status: 'closed', amountDueMinor: 0 });
    const notices = await listNotifications(h.database.db, 'order', input.orderId);
    expect(notices.map((n) => n.template)).toEqual(['invoice_issued']);

    const described = await handle.describe();
    expect(await described.staticSummary()).toBe(
      `Order ${input.orderId} for customer ${input.customerId}: USD 1,800.00, 2 line(s), net 30 days`,
    );
    expect(described.typedSearchAttributes.get(OrderSearchAttributes.status)).toBe('closed');
    expect(described.typedSearchAttributes.get(OrderSearchAttributes.invoiceNumber)).toBe(second.invoice!.invoiceNumber);
    await recordHistory(handle, 'partial-shipments-and-payments');
  });

  it('runs what a message asks for as activities, its own steps as local ones, and changes search attributes only where it waits', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    const shipped = await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
    });
    const paid = await handle.executeUpdate(recordPaymentUpdate, { args: [pay(`pay-${input.orderId}`, shipped.invoice!.totalMinor)] });
    expect(paid.order.status).toBe('closed');

    const events = (await handle.fetchHistory()).events ?? [];
    const named = (type: string) => events.filter((e) => String(temporal.api.enums.v1.EventType[e.eventType!]) === type);
    const localActivities = named('EVENT_TYPE_MARKER_RECORDED')
      .map((e) => e.markerRecordedEventAttributes!)
      .filter((m) => m.markerName === 'core_local_activity')
      .map((m) => JSON.parse(Buffer.from(m.details!.data!.payloads![0]!.data!).toString()).activity_type);
    const activities = named('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED').map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
    // The order's own steps: admit (record and check credit), close the books, and its row
    // where it waits (for shipment, for payment) and once closed.
    expect(localActivities).toEqual(['admitOrder', 'syncOrder', 'syncOrder', 'reconcileOrder', 'syncOrder']);
    // What the messages asked for runs only once their acceptance is durable: the shipment with
    // its invoice, the payment.
    expect(activities).toEqual(['recordShipmentAndInvoice', 'applyPayment']);
    const upserted = named('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES')
      .map((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!))
      .filter((keys) => !keys.includes('TemporalChangeVersion'));
    // Waiting for shipment, waiting for payment, closed.
    expect(upserted).toHaveLength(3);

    const row = await getOrderRow(h.database.db, input.orderId);
    expect(row).toMatchObject({ status: 'closed', amountDueMinor: 0, invoiceNumber: shipped.invoice!.invoiceNumber });
    expect(row?.finalView).toEqual(await handle.query(getOrderQuery));
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(OrderSearchAttributes.status)).toBe('closed');
    expect(described.typedSearchAttributes.get(OrderSearchAttributes.amountDue)).toBe(0);
    await recordHistory(handle, 'happy-path');
  });
});

// Free samples and promotional items ship on orders at a price of zero: they go on the invoice
// as lines of their own, and an order of nothing but them owes nothing and closes.
describe('zero-priced lines', () => {
  const SAMPLE = { lineId: 'l3', sku: 'SAMPLE', description: 'Free sample', quantity: 5, unitPriceMinor: 0 };

  it('a free line beside paid ones: on the invoice at zero, the rest invoiced and paid as usual', async () => {
    const input = await newOrder(h, { lines: [...LINES, SAMPLE] });
    const handle = await startOrder(h, input);
    const shipped = await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }, { lineId: 'l3', quantity: 5 }] }],
    });
    expect(shipped.invoice).toMatchObject({ subtotalMinor: 150_000, taxMinor: 30_000, totalMinor: 180_000 });
    expect(shipped.invoice!.lines.at(-1)).toEqual({ lineId: 'l3', description: 'Free sample', quantity: 5, unitPriceMinor: 0, amountMinor: 0 });
    const paid = await handle.executeUpdate(recordPaymentUpdate, { args: [pay(`pay-${input.orderId}`, 180_000)] });
    expect(paid.order.status).toBe('closed');
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    const stored = await getInvoice(h.database.db, shipped.invoice!.invoiceNumber);
    expect(stored!.lines.map((l) => [l.lineId, l.amountMinor])).toEqual([['l1', 100_000], ['l2', 50_000], ['l3', 0]]);
  });

  it('an order of free lines only: a zero invoice, no journal entry, and it closes as nothing is owed', async () => {
    const input = await newOrder(h, { lines: [SAMPLE], creditLimitMinor: 0 });
    const handle = await startOrder(h, input);
    const received = await handle.query(getOrderQuery);
    expect(received.status).toBe('awaiting_shipment');
    const shipped = await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l3', quantity: 5 }] }],
    });
    expect(shipped.invoice).toMatchObject({ subtotalMinor: 0, taxMinor: 0, totalMinor: 0 });
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'nothing to pay; reconciled' });

    const view = await handle.query(getOrderQuery);
    expect(view).toMatchObject({ status: 'closed', balanceMinor: 0, dunnableMinor: 0, dunningLevel: 0, payments: [], fees: [] });
    expect(view.timeline.map((t) => t.event)).toEqual(expect.arrayContaining(['invoice issued', 'closed']));
    expect(await listJournalEntries(h.database.db, input.orderId)).toEqual([]);
    const balance = await trialBalance(h.database.db, input.orderId);
    expect(balance.debitsMinor).toBe(0);
    expect(balance.creditsMinor).toBe(0);
    const row = await getOrderRow(h.database.db, input.orderId);
    expect(row).toMatchObject({ status: 'closed', totalMinor: 0, amountDueMinor: 0, invoiceNumber: shipped.invoice!.invoiceNumber });
    expect(row?.closedAt).not.toBeNull();
    expect(await getInvoice(h.database.db, shipped.invoice!.invoiceNumber)).toMatchObject({ status: 'closed', totalMinor: 0 });
    // No dunning for nothing owed: the customer hears of the invoice and nothing else.
    const notices = await listNotifications(h.database.db, 'order', input.orderId);
    expect(notices.map((n) => n.template)).toEqual(['invoice_issued']);
  });
});
