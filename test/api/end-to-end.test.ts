// One order from POST /orders to reconciled cash over real HTTP, using only the API, against
// a real worker, PostgreSQL and the time-skipping server (for the weeks of payment terms).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { issueApiKey } from '../../api/auth.js';
import { trialBalance } from '../../db/queries/ledger.js';
import { uniqueId } from '../helpers/database.js';
import { startTimeSkippingServer } from '../helpers/temporal.js';
import { orderWorkflowId } from '../../workflows/order/contract.js';
import { DAY, type Harness, recordHistory, startHarness } from '../workflows/order/harness.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

let env: TestWorkflowEnvironment;
let stack: Harness;
let app: FastifyInstance;
let base: string;
const keys = { service: '', finance: '' };

beforeAll(async () => {
  env = await startTimeSkippingServer();
  stack = await startHarness(env);
  keys.service = (await issueApiKey(stack.database.db, uniqueId('warehouse'), 'service')).secret;
  keys.finance = (await issueApiKey(stack.database.db, uniqueId('controller'), 'finance')).secret;
  app = await buildApp({ temporal: env.client, namespace: env.namespace ?? 'default', database: stack.database, orderTaskQueue: stack.taskQueue });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
  await env?.teardown();
});

async function http(role: keyof typeof keys, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${keys[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

it('takes an order from POST /orders to reconciled cash through the API alone', async () => {
  const customerId = uniqueId('acme');
  const orderId = uniqueId('po');
  // A limit below the order: held for finance, who approve it.
  const customer = await http('service', 'POST', '/customers', {
    customerId,
    name: 'ACME Corp',
    currency: 'EUR',
    creditLimitMinor: 100_000,
    paymentTermsDays: 14,
    contactEmail: 'ap@acme.example',
  });
  expect(customer.status).toBe(201);

  const created = await http('service', 'POST', '/orders', {
    orderId,
    customerId,
    currency: 'EUR',
    taxRateBps: 2000,
    lines: [{ lineId: '1', sku: 'BOLT-M8', description: 'M8 bolts, box of 100', quantity: 4, unitPriceMinor: 25_000 }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.headers.get('location')).toBe(`/orders/${orderId}`);
  expect(created.body).toMatchObject({ status: 'credit_hold', credit: { outcome: 'held', exposureMinor: 120_000, limitMinor: 100_000 } });

  const approved = await http('finance', 'POST', `/orders/${orderId}/credit-decision`, { decision: 'approve', comment: 'long-standing customer' });
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ status: 'awaiting_shipment', credit: { outcome: 'approved' } });

  const shipped = await http('service', 'POST', `/orders/${orderId}/shipments`, { shipmentId: 'DHL-1', lines: [{ lineId: '1', quantity: 4 }] });
  expect(shipped.status).toBe(200);
  expect(shipped.body).toMatchObject({ status: 'awaiting_payment', invoice: { subtotalMinor: 100_000, taxMinor: 20_000, totalMinor: 120_000 } });
  const invoiceNumber = shipped.body.invoice.invoiceNumber as string;

  const exposed = await http('service', 'GET', `/customers/${customerId}`);
  expect(exposed.body).toMatchObject({
    exposure: { openReceivablesMinor: 120_000, openOrdersMinor: 0, exposureMinor: 120_000, availableMinor: 0 },
    openInvoices: [{ invoiceNumber, orderId, totalMinor: 120_000, balanceMinor: 120_000 }],
  });

  // Past the due date (14 days) and the first dunning level (1 day after): a reminder goes out.
  await env.sleep(16 * DAY);
  const overdue = await http('service', 'GET', `/orders/${orderId}`);
  expect(overdue.body).toMatchObject({ status: 'overdue', dunningLevel: 1 });
  // The read model the list comes from (`overdue=true` compares with the wall clock, which
  // this server's skipped time has left behind).
  const listed = await http('finance', 'GET', `/orders?customerId=${customerId}&status=overdue&dunningLevel=1`);
  expect(listed.body.items).toEqual([expect.objectContaining({ orderId, status: 'overdue', dunningLevel: 1, amountDueMinor: 120_000 })]);

  const paid = await http('service', 'POST', `/orders/${orderId}/payments`, {
    paymentReference: uniqueId('SEPA'),
    amountMinor: 120_000,
    currency: 'EUR',
    method: 'bank_transfer',
  });
  expect(paid.status).toBe(201);
  // The payment that settles the order answers once the order is reconciled and closed.
  expect(paid.body).toMatchObject({ duplicate: false, balanceMinor: 0, order: { status: 'closed', closedReason: 'paid and reconciled' } });
  const closed = await http('service', 'GET', `/orders/${orderId}`);
  expect(closed.body).toMatchObject({ status: 'closed', closedReason: 'paid and reconciled', balanceMinor: 0 });

  const after = await http('service', 'GET', `/customers/${customerId}`);
  expect(after.body).toMatchObject({ exposure: { exposureMinor: 0, availableMinor: 100_000 }, openInvoices: [] });
  const done = await http('finance', 'GET', `/orders?customerId=${customerId}&status=closed`);
  expect(done.body.items).toEqual([expect.objectContaining({ orderId, amountDueMinor: 0, closedAt: expect.any(String) })]);
  // The books agree: receivables for the order net to zero.
  expect((await trialBalance(stack.database.db, orderId)).byAccount.accounts_receivable ?? 0).toBe(0);
  // An order begun by Update-with-Start, for the replay test.
  await recordHistory(env.client.workflow.getHandle(orderWorkflowId(orderId)), 'api-end-to-end');
});
