// Temporal refuses updates beyond a per-order limit in flight; the API turns that refusal
// into 429 with Retry-After instead of a 500. The limit is lowered to 1 to reach it.
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { expect, it } from 'vitest';
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

it('answers 429 with Retry-After when the order has too many updates in flight, and changes nothing', async () => {
  const orderId = uniqueId('busy');
  // No worker polls this queue: an update sent to the order is admitted and stays in flight.
  const handle = await h.env.client.workflow.start('orderWorkflow', {
    workflowId: orderWorkflowId(orderId),
    taskQueue: uniqueId('nobody'),
    args: [{ orderId, customerId: 'c', currency: 'USD', lines: LINES, taxRateBps: 0, paymentTermsDays: 30, policy: testPolicy() }],
  });
  // The API's own retry policy (as `npm run api` connects), and inside it a count of the
  // update calls that actually go out: one per attempt.
  let updateCalls = 0;
  const countUpdates: GrpcInterceptor = (options, next) => {
    if (options.method_definition.path.endsWith('/UpdateWorkflowExecution')) updateCalls += 1;
    // Passes the call on untouched (grpc-js types ask for its own class; any call will do).
    return next(options) as ReturnType<GrpcInterceptor>;
  };
  const connection = await Connection.connect({ address: h.env.address, interceptors: [apiRetryInterceptor(), countUpdates] });
  const client = new Client({ connection, namespace: h.env.namespace ?? 'default' });
  const app = await buildApp({ temporal: client, namespace: h.env.namespace ?? 'default', database: h.stack.database });
  const inFlight = handle.executeUpdate(submitOrderUpdate, { args: [{ requestFingerprint: null }] }).catch(() => undefined);
  try {
    const res = await eventually(async () => {
      updateCalls = 0;
      const r = await app.inject({
        method: 'POST',
        url: `/orders/${orderId}/cancel`,
        headers: { authorization: `Bearer ${h.keys.service.secret}` },
        payload: { reason: 'too slow' },
      });
      expect(r.statusCode, r.body).toBe(429);
      // Answered on the first refusal, not after the client's backed-off retries.
      expect(updateCalls).toBe(1);
      return r;
    });
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', detail: expect.stringContaining('retry') });
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
