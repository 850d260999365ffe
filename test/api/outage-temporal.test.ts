// Temporal unreachable under the API: when the API starts (it starts anyway, as `npm run api`
// does) and when the server stops while it runs. Requests that need Temporal answer 503 with
// Retry-After, never 500, and /ready names Temporal; requests that need only the database go
// on working; once Temporal is back, on the same port and with the same state, the same client
// reconnects and the same requests succeed. The server is a dev server of the test's own that
// keeps its state in a file, so it can stop and start again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { issueApiKey } from '../../api/auth.js';
import type { DatabaseHandle } from '../../db/client.js';
import { createOrderWorker } from '../../workers/order-worker.js';
import { openClient } from '../../workers/runtime/temporal-client.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { freePort } from '../helpers/processes.js';
import { startDevServer } from '../helpers/temporal.js';
import { eventually, workflowBundle } from '../workflows/order/harness.js';
import { LINES } from './harness.js';

const NAMESPACE = 'default';
let port: number;
let dir: string;
let database: DatabaseHandle;
let client: Client;
let app: FastifyInstance;
const taskQueue = uniqueId('orders');
const secrets = { service: '', finance: '' };
/** What `openClient` reports when its first attempt to reach Temporal fails. */
let unreachableAtStart: Promise<Error>;

/** The Temporal server of the moment (null while it is down), and the worker on it. */
let env: TestWorkflowEnvironment | null = null;
let worker: { connection: NativeConnection; worker: Worker; running: Promise<void> } | undefined;

/**
 * The server, on the same port and with the same state each time, and a worker on it. A worker
 * that polled the old server is replaced: its pollers back off on their own schedule, and
 * when they come back is the worker's business, not the API's under test here.
 */
async function startTemporal(): Promise<void> {
  env = await startDevServer({ port, dbFilename: path.join(dir, 'temporal.db') });
  await stopWorker();
  const connection = await NativeConnection.connect({ address: `127.0.0.1:${port}` });
  const created = await createOrderWorker({ connection, namespace: NAMESPACE, db: database.db, taskQueue, workflowBundle: await workflowBundle() });
  worker = { connection, worker: created, running: created.run() };
}

async function stopWorker(): Promise<void> {
  const stopping = worker;
  worker = undefined;
  if (!stopping) return;
  stopping.worker.shutdown();
  await stopping.running.catch(() => {});
  await stopping.connection.close().catch(() => {});
}

/** The server gone at once, as a crash or a stopped container leaves it; the worker stays. */
async function killTemporal(): Promise<void> {
  const stopping = env;
  env = null;
  await stopping?.teardown();
}

beforeAll(async () => {
  [port, database] = await Promise.all([freePort(), openTestDatabase()]);
  dir = mkdtempSync(path.join(tmpdir(), 'o2c-outage-temporal-'));
  secrets.service = (await issueApiKey(database.db, uniqueId('outage-service'), 'service')).secret;
  secrets.finance = (await issueApiKey(database.db, uniqueId('outage-finance'), 'finance')).secret;
  workflowBundle().catch(() => {}); // bundled while the first requests wait on Temporal
  // Nothing listens on the port yet.
  unreachableAtStart = new Promise((resolve) => {
    client = openClient({ address: `127.0.0.1:${port}`, namespace: NAMESPACE, tls: false }, resolve);
  });
  app = await buildApp({
    temporal: client,
    namespace: NAMESPACE,
    database,
    orderTaskQueue: taskQueue,
    temporalTimeouts: { updateMs: 3_000, queryMs: 2_000 },
  });
});

afterAll(async () => {
  await app?.close();
  await stopWorker();
  await env?.teardown();
  await client?.connection.close();
  await database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const call = (key: keyof typeof secrets | null, method: 'GET' | 'POST', url: string, body?: object) =>
  app.inject({
    method,
    url,
    headers: key ? { authorization: `Bearer ${secrets[key]}` } : {},
    ...(body === undefined ? {} : { payload: body }),
  });

function expectUnavailable(res: LightMyRequestResponse, where: string): void {
  expect(res.statusCode, `${where}: ${res.body}`).toBe(503);
  expect(res.headers['retry-after'], where).toMatch(/^[1-9]\d*$/);
  expect(res.headers['content-type'], where).toContain('application/problem+json');
  expect(res.json(), where).toMatchObject({ status: 503, code: 'UNAVAILABLE', requestId: res.headers['x-request-id'] });
}

async function expectTemporalNamed(): Promise<void> {
  const res = await call(null, 'GET', '/ready');
  expect(res.statusCode).toBe(503);
  expect(res.json()).toMatchObject({ status: 'not_ready', checks: { temporal: { ok: false }, database: { ok: true } } });
  expect(res.json().checks.temporal.error).toEqual(expect.any(String));
}

/** Temporal back: /ready says so once the client has reconnected, with no restart of the API. */
async function readyAgain(): Promise<void> {
  await eventually(async () => expect((await call(null, 'GET', '/ready')).statusCode).toBe(200), 30_000);
}

const customerId = uniqueId('cust');
const orderId = uniqueId('ord');
const orderBody = (id: string) => ({ orderId: id, customerId, currency: 'USD', lines: LINES, taxRateBps: 1000 });

describe('Temporal unreachable', () => {
  it('when the API starts: it starts anyway, answers 503 for what needs Temporal, and works once Temporal is up', async () => {
    expect((await call('service', 'POST', '/customers', {
      customerId, name: `Customer ${customerId}`, currency: 'USD', creditLimitMinor: 10_000_000, paymentTermsDays: 30,
    })).statusCode).toBe(201);

    expectUnavailable(await call('service', 'POST', '/orders', orderBody(orderId)), 'POST /orders');
    expectUnavailable(await call('service', 'GET', `/orders/${orderId}`), 'GET /orders/:id');
    await expectTemporalNamed();
    // What needs only the database is not held up.
    expect((await call('finance', 'GET', `/orders?customerId=${customerId}`)).statusCode).toBe(200);
    // What `npm run api` logs at start.
    expect(await unreachableAtStart).toBeInstanceOf(Error);

    await startTemporal();
    await readyAgain();
    expect((await call('service', 'POST', '/orders', orderBody(orderId))).statusCode).toBe(201);
    expect((await call('service', 'GET', `/orders/${orderId}`)).json()).toMatchObject({ orderId, status: 'awaiting_shipment' });
  });

  it('when the server stops under a running API: updates, reads and new orders answer 503; all succeed once it is back', async () => {
    const requests: Array<[string, () => Promise<LightMyRequestResponse>, number]> = [
      [
        'POST /orders/:id/shipments',
        () => call('service', 'POST', `/orders/${orderId}/shipments`, { shipmentId: 'shp-1', lines: [{ lineId: 'l1', quantity: 1 }] }),
        200,
      ],
      ['GET /orders/:id', () => call('service', 'GET', `/orders/${orderId}`), 200],
      ['POST /orders', () => call('service', 'POST', '/orders', orderBody(uniqueId('ord'))), 201],
    ];
    const cancel = () => call('finance', 'POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' });

    await killTemporal();
    for (const [where, send] of requests) expectUnavailable(await send(), `${where}, Temporal down`);
    expectUnavailable(await cancel(), 'POST /orders/:id/cancel, Temporal down');
    await expectTemporalNamed();
    expect((await call('finance', 'GET', `/orders?customerId=${customerId}`)).statusCode).toBe(200);

    await startTemporal();
    await readyAgain();
    for (const [where, send, status] of requests) {
      const res = await send();
      expect(res.statusCode, `${where}, Temporal back: ${res.body}`).toBe(status);
    }
    const order = await call('service', 'GET', `/orders/${orderId}`);
    expect(order.json().shipments).toHaveLength(1);
  });
});
