// The API over a real stack: a Temporal server, the engine's worker with every activity,
// the run's PostgreSQL database, and one API key per role, driven through `inject`.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildApp } from '../../api/app.js';
import { type ApiRole, issueApiKey } from '../../api/auth.js';
import { uniqueId } from '../helpers/database.js';
import { type Harness, startHarness } from '../workflows/order/harness.js';

export interface ApiHarness {
  env: TestWorkflowEnvironment;
  stack: Harness;
  app: FastifyInstance;
  keys: Record<ApiRole, { name: string; secret: string }>;
  /** A request as the holder of `role`'s key (or with no key for `null`). */
  call(
    role: ApiRole | null,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
}

export function useApi(startServer: () => Promise<TestWorkflowEnvironment>, use: (h: ApiHarness) => void): void {
  let env: TestWorkflowEnvironment | undefined;
  let stack: Harness | undefined;
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    env = await startServer();
    stack = await startHarness(env);
    const db = stack.database.db;
    const [service, finance, operator] = await Promise.all(
      (['service', 'finance', 'operator'] as const).map((role) => issueApiKey(db, uniqueId(`${role}-key`), role)),
    );
    const keys = { service: service!, finance: finance!, operator: operator! };
    app = await buildApp({
      temporal: env.client,
      namespace: env.namespace ?? 'default',
      database: stack.database,
      orderTaskQueue: stack.taskQueue,
      policies: ['standard', 'demo'],
    });
    const instance = app;
    use({
      env,
      stack,
      app: instance,
      keys,
      call: (role, method, url, body) =>
        instance.inject({
          method,
          url,
          headers: role ? { authorization: `Bearer ${keys[role].secret}` } : {},
          ...(body === undefined ? {} : { payload: body as object }),
        }),
    });
  });
  afterAll(async () => {
    await app?.close();
    await stack?.stop();
    await env?.teardown();
  });
}

export const LINES = [
  { lineId: 'l1', sku: 'WIDGET', description: 'Widget', quantity: 10, unitPriceMinor: 10_000 },
  { lineId: 'l2', sku: 'GADGET', description: 'Gadget', quantity: 2, unitPriceMinor: 25_000 },
];

/** A customer of the test's own, created through the API. */
export async function createCustomer(h: ApiHarness, overrides: Record<string, unknown> = {}): Promise<string> {
  const customerId = uniqueId('cust');
  const res = await h.call('service', 'POST', '/customers', {
    customerId,
    name: `Customer ${customerId}`,
    currency: 'USD',
    creditLimitMinor: 10_000_000,
    paymentTermsDays: 30,
    ...overrides,
  });
  if (res.statusCode !== 201) throw new Error(`customer not created: ${res.statusCode} ${res.body}`);
  return customerId;
}

export function orderBody(customerId: string, overrides: Record<string, unknown> = {}) {
  return { orderId: uniqueId('ord'), customerId, currency: 'USD', lines: LINES, taxRateBps: 1000, ...overrides };
}

export interface RefusalFixtures {
  customerId: string;
  /** An order awaiting shipment, and its view. */
  pending: { orderId: string; view: unknown };
  /** An order shipped in full and invoiced, awaiting payment, and its view. */
  invoiced: { orderId: string; view: unknown };
}

/**
 * For tests that send only requests that must be refused: a customer of the test's own, an
 * order of it awaiting shipment and one invoiced. The views are read back to check nothing
 * changed.
 */
export async function refusalFixtures(h: ApiHarness): Promise<RefusalFixtures> {
  const customerId = await createCustomer(h);
  const a = orderBody(customerId);
  const b = orderBody(customerId);
  const [placedA, placedB] = await Promise.all([h.call('service', 'POST', '/orders', a), h.call('service', 'POST', '/orders', b)]);
  expect(placedA.statusCode, placedA.body).toBe(201);
  expect(placedB.statusCode, placedB.body).toBe(201);
  const shipped = await h.call('service', 'POST', `/orders/${b.orderId}/shipments`, {
    shipmentId: uniqueId('shp'),
    lines: LINES.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
  });
  expect(shipped.statusCode, shipped.body).toBe(200);
  const pending = { orderId: a.orderId, view: (await h.call('operator', 'GET', `/orders/${a.orderId}`)).json() };
  const invoiced = { orderId: b.orderId, view: (await h.call('operator', 'GET', `/orders/${b.orderId}`)).json() };
  expect(pending.view).toMatchObject({ status: 'awaiting_shipment' });
  expect(invoiced.view).toMatchObject({ status: 'awaiting_payment' });
  return { customerId, pending, invoiced };
}
