// Activities may run more than once: the real ones, run twice for the same workflow step
// against PostgreSQL, leave one invoice, one journal posting and one notice.
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { STANDARD_ORDER_POLICY } from '../../workflows/order/rules/policy.js';
import type { DatabaseHandle } from '../../db/client.js';
import { upsertCustomer } from '../../db/queries/customers.js';
import { listJournalEntries } from '../../db/queries/ledger.js';
import { listNotifications } from '../../db/queries/notifications.js';
import type { OrderInput } from '../../workflows/order/contract.js';
import { draftInvoice } from '../../workflows/order/rules/invoice.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

/** A customer and its recorded order, as the workflow leaves them before the step under test. */
async function recordedOrder(name: string, email: string, terms: number, taxRateBps: number, lines: OrderInput['lines']) {
  const customerId = uniqueId('cust');
  await upsertCustomer(database.db, {
    id: customerId,
    name,
    currency: 'EUR',
    creditLimitMinor: 1_000_000,
    paymentTermsDays: terms,
    contactEmail: email,
  });
  const order: OrderInput = {
    orderId: uniqueId('ord'),
    customerId,
    currency: 'EUR',
    lines,
    taxRateBps,
    paymentTermsDays: terms,
    policy: STANDARD_ORDER_POLICY,
  };
  const workflowId = `order:${order.orderId}`;
  const mock = new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'run-1' } });
  const activities = createActivities({ db: database.db });
  await mock.run(activities.admitOrder, { ...order, workflowId });
  return { customerId, order, workflowId, mock, activities };
}

describe('activities run twice', () => {
  it('issue one invoice, post one journal entry and send one notice', async () => {
    const { customerId, order, workflowId, mock, activities } = await recordedOrder('Twice Ltd', 'ap@twice.example', 14, 1900, [
      { lineId: 'l1', sku: 'S', description: 'Service', quantity: 3, unitPriceMinor: 12_345 },
    ]);

    const input = {
      orderId: order.orderId,
      customerId,
      currency: 'EUR',
      series: `TW${Date.now().toString(36).toUpperCase()}`,
      issuedAt: '2026-11-23T12:00:00.000Z',
      dueDate: '2026-12-07',
      draft: draftInvoice(order.lines, { l1: 3 }, order.taxRateBps),
    };
    const first = (await mock.run(activities.issueInvoice, input)) as Awaited<ReturnType<typeof activities.issueInvoice>>;
    // A retry after the first attempt's answer was lost, and one from another run of the same step.
    const second = await mock.run(activities.issueInvoice, input);
    const third = await new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'run-2' } }).run(
      activities.issueInvoice,
      input,
    );
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(first.invoiceNumber).toBe(`${input.series}-000001`);

    const invoices = await database.rows<{ n: number }>(sql`select count(*)::int as n from invoices where order_id = ${order.orderId}`);
    expect(invoices).toEqual([{ n: 1 }]);
    const entries = await listJournalEntries(database.db, order.orderId);
    expect(entries.map((e) => e.kind)).toEqual(['invoice']);
    const notices = await listNotifications(database.db, 'order', order.orderId);
    expect(notices.map((n) => [n.template, n.recipient])).toEqual([['invoice_issued', 'ap@twice.example']]);
  });

  it('record the last shipment and its invoice once, however often the step runs', async () => {
    const { customerId, order, mock, activities } = await recordedOrder('Last Box GmbH', 'ap@lastbox.example', 30, 2000, [
      { lineId: 'l1', sku: 'S', description: 'Crate', quantity: 2, unitPriceMinor: 5_000 },
    ]);

    const step = {
      shipment: { orderId: order.orderId, shipmentId: 'sh-last', lines: [{ lineId: 'l1', quantity: 2 }], shippedAt: '2026-11-23T09:00:00.000Z' },
      invoice: {
        orderId: order.orderId,
        customerId,
        currency: 'EUR',
        series: `LS${Date.now().toString(36).toUpperCase()}`,
        issuedAt: '2026-11-23T09:00:00.000Z',
        dueDate: '2026-12-23',
        draft: draftInvoice(order.lines, { l1: 2 }, order.taxRateBps),
      },
    };
    const first = (await mock.run(activities.recordShipmentAndInvoice, step)) as Awaited<
      ReturnType<typeof activities.recordShipmentAndInvoice>
    >;
    const again = await mock.run(activities.recordShipmentAndInvoice, step);
    expect(again).toEqual(first);
    expect(first).toMatchObject({ invoiceNumber: `${step.invoice.series}-000001`, totalMinor: 12_000, dueDate: '2026-12-23' });

    const count = async (table: string) =>
      (await database.rows<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where order_id = ${order.orderId}`))[0]!.n;
    expect(await count('shipments')).toBe(1);
    expect(await count('shipment_lines')).toBe(1);
    expect(await count('invoices')).toBe(1);
    expect((await listJournalEntries(database.db, order.orderId)).map((e) => e.kind)).toEqual(['invoice']);
    const notices = await listNotifications(database.db, 'order', order.orderId);
    expect(notices.map((n) => n.template)).toEqual(['invoice_issued']);
    // The row is the workflow's to write, where the order next waits: the step leaves it alone.
    const [row] = await database.rows<{ invoice_number: string | null; row_revision: number }>(
      sql`select invoice_number, row_revision::int from orders where id = ${order.orderId}`,
    );
    expect(row).toEqual({ invoice_number: null, row_revision: 0 });
  });

  it('apply a payment against the balance the books hold, then close the books, once however often each step runs', async () => {
    const { customerId, order, mock, activities } = await recordedOrder('Paid Up Oy', 'ap@paidup.example', 30, 2000, [
      { lineId: 'l1', sku: 'S', description: 'Licence', quantity: 1, unitPriceMinor: 10_000 },
    ]);
    const invoice = (await mock.run(activities.issueInvoice, {
      orderId: order.orderId,
      customerId,
      currency: 'EUR',
      series: `PU${Date.now().toString(36).toUpperCase()}`,
      issuedAt: '2026-11-23T09:00:00.000Z',
      dueDate: '2026-12-23',
      draft: draftInvoice(order.lines, { l1: 1 }, order.taxRateBps),
    })) as Awaited<ReturnType<typeof activities.issueInvoice>>;

    const step = {
      orderId: order.orderId,
      customerId,
      invoiceNumber: invoice.invoiceNumber,
      paymentReference: `pay-${order.orderId}`,
      amountMinor: 15_000,
      currency: 'EUR',
      method: 'bank_transfer' as const,
      receivedAt: '2026-11-30T10:00:00.000Z',
    };
    const reconcile = { orderId: order.orderId, invoiceNumber: invoice.invoiceNumber, writtenOff: false };
    // 12 000 owed: that much is applied, the rest kept as customer credit, and a retry answers the same.
    const applied = { appliedMinor: 12_000, unappliedMinor: 3_000, books: { balanceMinor: 0, writtenOffMinor: 0 } };
    expect(await mock.run(activities.applyPayment, step)).toEqual({ created: true, ...applied });
    expect(await mock.run(activities.applyPayment, step)).toEqual({ created: false, ...applied });
    expect(await mock.run(activities.reconcileOrder, reconcile)).toMatchObject({ balanced: true, differenceMinor: 0 });
    expect(await mock.run(activities.reconcileOrder, reconcile)).toMatchObject({ balanced: true, differenceMinor: 0 });

    const payments = await database.rows<{ n: number }>(sql`select count(*)::int as n from payments where order_id = ${order.orderId}`);
    expect(payments).toEqual([{ n: 1 }]);
    expect((await listJournalEntries(database.db, order.orderId)).map((e) => e.kind).sort()).toEqual(['invoice', 'payment']);
    const [closed] = await database.rows<{ status: string }>(sql`select status from invoices where invoice_number = ${invoice.invoiceNumber}`);
    expect(closed).toEqual({ status: 'closed' });
  });
});
