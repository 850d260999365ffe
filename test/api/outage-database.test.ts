// PostgreSQL stops while the API runs: every request that needs it answers 503 with
// Retry-After (a problem document naming the database), never 500, and /ready names the
// database; once it is back the same requests succeed, on the same pool, without a restart.
// The database is a cluster of the test's own (the run's shared server is never stopped);
// the API, the worker and the key lookups all use it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { issueApiKey } from '../../api/auth.js';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { createOrderWorker } from '../../workers/order-worker.js';
import { type ThrowawayCluster, createThrowawayCluster } from '../helpers/cluster.js';
import { uniqueId } from '../helpers/database.js';
import { startDevServer } from '../helpers/temporal.js';
import { workflowBundle } from '../workflows/order/harness.js';
import { LINES } from './harness.js';

let cluster: ThrowawayCluster | undefined;
let database: DatabaseHandle | undefined;
let env: TestWorkflowEnvironment | undefined;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
let app: FastifyInstance;
const secrets = { service: '', finance: '', unused: '' };

beforeAll(async () => {
  [cluster, env] = await Promise.all([createThrowawayCluster('outage'), startDevServer()]);
  const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe('create database o2c');
  } finally {
    await admin.end();
  }
  database = await openDatabase({ kind: 'postgres', url: cluster.url('o2c'), maxConnections: 4 });
  await database.migrate();
  const taskQueue = uniqueId('orders');
  worker = await createOrderWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db: database.db,
    taskQueue,
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
  secrets.service = (await issueApiKey(database.db, 'outage-service', 'service')).secret;
  secrets.finance = (await issueApiKey(database.db, 'outage-finance', 'finance')).secret;
  // A key first used while the database is down: its lookup is what fails.
  secrets.unused = (await issueApiKey(database.db, 'outage-unused', 'operator')).secret;
  app = await buildApp({
    temporal: env.client,
    namespace: env.namespace ?? 'default',
    database,
    orderTaskQueue: taskQueue,
    // Keys used before the outage stay trusted through it, so the routes' own reads fail.
    apiKeyCacheMs: 10 * 60_000,
  });
});

afterAll(async () => {
  await app?.close();
  // The cluster goes whatever happened before; it is the one thing outside this process.
  await cluster?.start().catch(() => {});
  worker?.shutdown();
  await running?.catch(() => {});
  await database?.close().catch(() => {});
  await env?.teardown();
  await cluster?.drop();
});

const call = (key: keyof typeof secrets | null, method: 'GET' | 'POST' | 'PATCH', url: string, body?: object) =>
  app.inject({
    method,
    url,
    headers: key ? { authorization: `Bearer ${secrets[key]}` } : {},
    ...(body === undefined ? {} : { payload: body }),
  });

const customerBody = (customerId: string) => ({
  customerId,
  name: `Customer ${customerId}`,
  currency: 'USD',
  creditLimitMinor: 10_000_000,
  paymentTermsDays: 30,
});
const orderBody = (orderId: string, customerId: string) => ({ orderId, customerId, currency: 'USD', lines: LINES, taxRateBps: 1000 });

function expectUnavailable(res: LightMyRequestResponse, where: string): void {
  expect(res.statusCode, `${where}: ${res.body}`).toBe(503);
  expect(res.headers['retry-after'], where).toMatch(/^[1-9]\d*$/);
  expect(res.headers['content-type'], where).toContain('application/problem+json');
  expect(res.json(), where).toMatchObject({
    status: 503,
    code: 'UNAVAILABLE',
    detail: 'The database is not reachable; retry shortly.',
    requestId: res.headers['x-request-id'],
  });
}

describe('PostgreSQL stopped while the API runs', () => {
  it('answers 503 with Retry-After while it is down, and the same requests succeed once it is back', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('ord');
    expect((await call('service', 'POST', '/customers', customerBody(customerId))).statusCode).toBe(201);
    expect((await call('service', 'POST', '/orders', orderBody(orderId, customerId))).statusCode).toBe(201);
    expect((await call('finance', 'GET', `/orders/${orderId}`)).statusCode).toBe(200);

    const laterCustomer = uniqueId('cust');
    const laterOrder = uniqueId('ord');
    const requests: Array<[string, () => Promise<LightMyRequestResponse>, number]> = [
      ['GET /orders', () => call('finance', 'GET', `/orders?customerId=${customerId}`), 200],
      ['GET /orders/:id', () => call('finance', 'GET', `/orders/${orderId}`), 200],
      ['GET /orders/:id of an order that does not exist', () => call('service', 'GET', `/orders/${uniqueId('ord')}`), 404],
      ['GET /customers/:id', () => call('finance', 'GET', `/customers/${customerId}`), 200],
      ['POST /customers', () => call('service', 'POST', '/customers', customerBody(laterCustomer)), 201],
      ['POST /orders', () => call('service', 'POST', '/orders', orderBody(laterOrder, customerId)), 201],
      ['PATCH /customers/:id', () => call('finance', 'PATCH', `/customers/${customerId}`, { creditLimitMinor: 20_000_000 }), 200],
      ['GET /orders with a key not looked up yet', () => call('unused', 'GET', '/orders?limit=1'), 200],
    ];

    await cluster!.stop();
    for (const [where, send] of requests) expectUnavailable(await send(), `${where}, database down`);
    const down = await call(null, 'GET', '/ready');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not_ready', checks: { database: { ok: false }, temporal: { ok: true } } });
    expect(down.json().checks.database.error).toContain('ECONNREFUSED');
    // Liveness needs no database.
    expect((await call(null, 'GET', '/health')).statusCode).toBe(200);

    // The same API, the same pool: no restart.
    await cluster!.start();
    expect((await call(null, 'GET', '/ready')).json()).toEqual({ status: 'ready', checks: { temporal: { ok: true }, database: { ok: true } } });
    for (const [where, send, status] of requests) {
      const res = await send();
      expect(res.statusCode, `${where}, database back: ${res.body}`).toBe(status);
    }
    const listed = await call('finance', 'GET', `/orders?customerId=${customerId}`);
    expect(listed.json().items.map((o: { orderId: string }) => o.orderId).sort()).toEqual([orderId, laterOrder].sort());
    expect((await call('finance', 'GET', `/customers/${customerId}`)).json()).toMatchObject({ creditLimitMinor: 20_000_000 });
  });
});
