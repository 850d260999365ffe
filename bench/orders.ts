// The bench's orders, and the four ways it drives them: the floor and naive baselines and
// the engine from the Temporal client (straight to the workflow, as the API would) and over
// HTTP (through the real API, exactly as a backend service calls it).
import http from 'node:http';
import { type Client, WithStartWorkflowOperation } from '@temporalio/client';
import type { Database } from '../db/client.js';
import { upsertCustomer } from '../db/queries/customers.js';
import { type OrderInput, recordPaymentUpdate, recordShipmentUpdate } from '../workflows/order/contract.js';
import { fingerprint, orderInput, submitOrder } from '../workflows/order/start.js';
import { REFUSED_CALLS } from './report.js';
import {
  BASELINE_TASK_QUEUE,
  type BaselineState,
  payBaselineUpdate,
  shipBaselineUpdate,
  submitBaselineUpdate,
} from './baseline/workflows.js';

/** Ten thousand open orders spread as a B2B book would be: twenty or so per customer. */
export const CUSTOMERS = 500;
const customerId = (n: number) => `bench-cust-${n % CUSTOMERS}`;

/** Customers the orders spread over, with limits no bench run reaches. */
export async function createCustomers(db: Database): Promise<void> {
  for (let n = 0; n < CUSTOMERS; n += 1) {
    await upsertCustomer(db, {
      id: customerId(n),
      name: `Bench customer ${n}`,
      currency: 'EUR',
      creditLimitMinor: 1_000_000_000_000,
      paymentTermsDays: 30,
      contactEmail: `ap-${n}@example.com`,
    });
  }
}

/** A typical B2B order as a service sends it: three lines, 20% tax, net 30. */
export function orderBody(orderId: string, n: number) {
  return {
    orderId,
    customerId: customerId(n),
    currency: 'EUR',
    lines: [
      { lineId: 'l1', sku: 'SKU-1001', description: 'Pallet of copier paper, A4 80 g', quantity: 4, unitPriceMinor: 18_950 },
      { lineId: 'l2', sku: 'SKU-2002', description: 'Toner cartridge, black, high yield', quantity: 6, unitPriceMinor: 7_425 },
      { lineId: 'l3', sku: 'SKU-3003', description: 'Delivery and installation', quantity: 1, unitPriceMinor: 12_000 },
    ],
    taxRateBps: 2000,
    paymentTermsDays: 30,
    policy: 'standard' as const,
  };
}

export type OrderBody = ReturnType<typeof orderBody>;

const shipmentOf = (body: OrderBody) => ({
  shipmentId: `${body.orderId}-s1`,
  lines: body.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
});

const paymentOf = (body: OrderBody, amountMinor: number) => ({
  paymentReference: `${body.orderId}-p1`,
  amountMinor,
  currency: body.currency,
  method: 'bank_transfer' as const,
});

/** Per-call latencies by name (an HTTP route or a client call), for one measured stretch. */
export class CallTimes {
  readonly byName = new Map<string, number[]>();
  /** Times `call` under `name`, or under the name `rename` gives its result (a refusal, say). */
  async time<T>(name: string, call: () => Promise<T>, rename: (result: T) => string = () => name): Promise<T> {
    const t0 = performance.now();
    const result = await call();
    const key = rename(result);
    const list = this.byName.get(key) ?? [];
    list.push(performance.now() - t0);
    this.byName.set(key, list);
    return result;
  }
  clear(): void {
    this.byName.clear();
  }
}

export interface Driver {
  /** One order, from creation to closed; throws unless it closed (or `signal` aborted it). */
  run(n: number, signal?: AbortSignal): Promise<string>;
}

/** f and a: the baseline workflows, by Update-with-Start and two updates. */
export function baselineDriver(client: Client, workflowType: 'floorOrderWorkflow' | 'naiveOrderWorkflow', runId: string, calls: CallTimes): Driver {
  return {
    async run(n) {
      const body = orderBody(`${runId}-${n}`, n);
      const workflowId = `order:${body.orderId}`;
      await calls.time('submit (update-with-start)', () =>
        client.workflow.executeUpdateWithStart(submitBaselineUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation(workflowType, {
            workflowId,
            taskQueue: BASELINE_TASK_QUEUE,
            args: [body],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      );
      const handle = client.workflow.getHandle(workflowId);
      await calls.time('ship (update)', () => handle.executeUpdate(shipBaselineUpdate, { args: [shipmentOf(body)] }));
      const paid: BaselineState = await calls.time('pay (update)', () =>
        handle.executeUpdate(payBaselineUpdate, { args: [paymentOf(body, 1)] }),
      );
      if (paid.status !== 'closed') throw new Error(`order ${body.orderId} is ${paid.status}`);
      return workflowId;
    },
  };
}

/** The engine's input for an order, built as the API builds it. */
export function engineInput(body: OrderBody): OrderInput {
  return orderInput(body, { paymentTermsDays: body.paymentTermsDays, requestFingerprint: fingerprint(body), submittedBy: 'bench' });
}

/** Creates the order and records its shipment: it then waits for payment. */
export async function openEngineOrder(client: Client, body: OrderBody, calls: CallTimes): Promise<number> {
  // Exactly what the API sends for the same body.
  const { result: created } = await calls.time('submitOrder (update-with-start)', () => submitOrder(client, engineInput(body)));
  // A repeat of an order opened before (its answer lost) is already invoiced.
  if (created.order.status === 'awaiting_payment' && created.order.invoice) return created.order.invoice.totalMinor;
  if (created.order.status !== 'awaiting_shipment') throw new Error(`order ${body.orderId} is ${created.order.status}`);
  const handle = client.workflow.getHandle(`order:${body.orderId}`);
  const shipped = await calls.time('recordShipment (update)', () => handle.executeUpdate(recordShipmentUpdate, { args: [shipmentOf(body)] }));
  if (!shipped.invoice) throw new Error(`order ${body.orderId} was not invoiced`);
  return shipped.invoice.totalMinor;
}

/** d: the engine straight from the Temporal client, as the API calls it but without HTTP. */
export function clientDriver(client: Client, runId: string, calls: CallTimes): Driver {
  return {
    async run(n) {
      const body = orderBody(`${runId}-${n}`, n);
      const totalMinor = await openEngineOrder(client, body, calls);
      const handle = client.workflow.getHandle(`order:${body.orderId}`);
      const paid = await calls.time('recordPayment (update)', () =>
        handle.executeUpdate(recordPaymentUpdate, {
          args: [{ ...paymentOf(body, totalMinor), receivedAt: new Date().toISOString(), reportedBy: 'bench' }],
        }),
      );
      if (paid.order.status !== 'closed') throw new Error(`order ${body.orderId} is ${paid.order.status}`);
      return `order:${body.orderId}`;
    },
  };
}


/**
 * c: the engine through its HTTP API, as a backend service drives it. A request refused with
 * 429 is sent again after its Retry-After, as a caller should: each request is idempotent.
 */
export function httpDriver(baseUrl: string, apiKey: string, runId: string, calls: CallTimes): Driver {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const url = new URL(baseUrl);
  return {
    async run(n, signal) {
      const post = async (route: string, path: string, body: unknown) => {
        for (;;) {
          const answer = await calls.time(
            route,
            () => request(agent, url, 'POST', path, apiKey, body, signal),
            (r) => (r.status === 429 ? REFUSED_CALLS : route),
          );
          if (answer.status !== 429) return answer;
          const wait = Number(answer.retryAfter ?? 1);
          await new Promise((resolve) => setTimeout(resolve, wait * 1000));
          if (signal?.aborted) throw signal.reason;
        }
      };
      const body = orderBody(`${runId}-${n}`, n);
      const path = `/orders/${encodeURIComponent(body.orderId)}`;
      const created = await post('POST /orders', '/orders', body);
      if (created.status !== 201) throw new Error(`POST /orders answered ${created.status}: ${created.text}`);
      const shipped = await post('POST /orders/:id/shipments', `${path}/shipments`, shipmentOf(body));
      if (shipped.status !== 200) throw new Error(`POST shipments answered ${shipped.status}: ${shipped.text}`);
      const totalMinor = (shipped.json as { invoice: { totalMinor: number } }).invoice.totalMinor;
      const paid = await post('POST /orders/:id/payments', `${path}/payments`, paymentOf(body, totalMinor));
      if (paid.status !== 201) throw new Error(`POST payments answered ${paid.status}: ${paid.text}`);
      const status = (paid.json as { order: { status: string } }).order.status;
      if (status !== 'closed') throw new Error(`order ${body.orderId} is ${status}`);
      return `order:${body.orderId}`;
    },
  };
}

function request(
  agent: http.Agent,
  base: URL,
  method: string,
  path: string,
  apiKey: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; text: string; json: unknown; retryAfter?: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        ...(signal ? { signal } : {}),
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON: the text says what happened
          }
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, text, json, ...(retryAfter ? { retryAfter } : {}) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
