// Temporal refuses updates beyond a per-order limit in flight; the API turns that refusal
// into 429 with Retry-After instead of a 500. The limit is lowered to 1 to reach it. The API
// itself refuses calls past what the engine can serve at once, before they reach it.
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { expect, it } from 'vitest';
import { EngineAdmission } from '../../api/admission.js';
import { buildApp } from '../../api/app.js';
import { apiRetryInterceptor } from '../../workers/runtime/temporal-client.js';
import { orderWorkflowId, submitOrderUpdate } from '../../workflows/order/contract.js';
import { uniqueId } from '../helpers/database.js';
import { startDevServer } from '../helpers/temporal.js';
import { eventually, testPolicy } from '../workflows/order/harness.js';
import { type ApiHarness, LINES, useApi } from './harness.js';

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

let h: ApiHarness;
useApi(
  () => startDevServer({ extraArgs: ['--dynamic-config-value', 'history.maxInFlightUpdates=1'] }),
  (harness) => {
    h = harness;
  },
);

/** An order no worker serves: an update sent to it is admitted and stays in flight. */
function startUnservedOrder(orderId: string) {
  return h.env.client.workflow.start('orderWorkflow', {
    workflowId: orderWorkflowId(orderId),
    taskQueue: uniqueId('nobody'),
    args: [{ orderId, customerId: 'c', currency: 'USD', lines: LINES, taxRateBps: 0, paymentTermsDays: 30, policy: testPolicy() }],
  });
}

/**
 * A client with the API's own retry policy (as `npm run api` connects), and inside it a count
 * of the update calls that actually go out: one per attempt.
 */
async function countingClient() {
  const counted = { updateCalls: 0 };
  const countUpdates: GrpcInterceptor = (options, next) => {
    if (options.method_definition.path.endsWith('/UpdateWorkflowExecution')) counted.updateCalls += 1;
    // Passes the call on untouched (grpc-js types ask for its own class; any call will do).
    return next(options) as ReturnType<GrpcInterceptor>;
  };
  const connection = await Connection.connect({ address: h.env.address, interceptors: [apiRetryInterceptor(), countUpdates] });
  return { counted, connection, client: new Client({ connection, namespace: h.env.namespace ?? 'default' }) };
}

it('answers 429 with Retry-After when the order has too many updates in flight, and changes nothing', async () => {
  const orderId = uniqueId('busy');
  const handle = await startUnservedOrder(orderId);
  const { counted, connection, client } = await countingClient();
  const app = await buildApp({ temporal: client, namespace: h.env.namespace ?? 'default', database: h.stack.database });
  const inFlight = handle.executeUpdate(submitOrderUpdate, { args: [{ requestFingerprint: null }] }).catch(() => undefined);
  try {
    const res = await eventually(async () => {
      counted.updateCalls = 0;
      const r = await app.inject({
        method: 'POST',
        url: `/orders/${orderId}/cancel`,
        headers: { authorization: `Bearer ${h.keys.service.secret}` },
        payload: { reason: 'too slow' },
      });
      expect(r.statusCode, r.body).toBe(429);
      // Answered on the first refusal, not after the client's backed-off retries.
      expect(counted.updateCalls).toBe(1);
      return r;
    });
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', detail: expect.stringContaining('may still take effect') });
  } finally {
    await handle.terminate('test over');
    await inFlight;
    await app.close();
    await connection.close();
  }
  // The refused request never reached the order: its history holds no update but the first.
  const history = await handle.fetchHistory();
  const updates = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
  expect(updates).toEqual([]);
});

it('refuses at once with 429 a request past the calls the engine can serve, and sends it nowhere', async () => {
  const orderId = uniqueId('held');
  // The first request's call stays in flight until its deadline.
  const handle = await startUnservedOrder(orderId);
  const { counted, connection, client } = await countingClient();
  const admission = new EngineAdmission(1);
  const app = await buildApp({
    temporal: client,
    namespace: h.env.namespace ?? 'default',
    database: h.stack.database,
    admission,
    temporalTimeouts: { updateMs: 3_000, queryMs: 3_000 },
  });
  const headers = { authorization: `Bearer ${h.keys.service.secret}` };
  try {
    const held = app.inject({ method: 'POST', url: `/orders/${orderId}/cancel`, headers, payload: { reason: 'held' } });
    await eventually(async () => expect(admission.busy).toBe(1));
    const refused = await app.inject({
      method: 'POST',
      url: `/orders/${orderId}/payments`,
      headers,
      payload: { paymentReference: uniqueId('pay'), amountMinor: 100, currency: 'USD', method: 'bank_transfer' },
    });
    expect(refused.statusCode, refused.body).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', detail: expect.stringContaining('nothing was done') });
    // The held call runs out its deadline; its place is free again.
    expect((await held).statusCode).toBe(503);
    expect(admission.busy).toBe(0);
  } finally {
    await handle.terminate('test over');
    await app.close();
    await connection.close();
  }
  // Only the held request's update went out; the refused one never left the API.
  expect(counted.updateCalls).toBe(1);
});
