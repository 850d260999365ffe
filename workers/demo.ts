// `npm run demo`: fills a running engine (`npm start`) with a few customers and orders, left
// in every state worth looking at, so a newcomer has something to find in the API and in
// Temporal UI. It is an ordinary API client: HTTP only, no database or Temporal access, so
// it also shows what a caller has to send.
//
//   O2C_API_URL           the API (default http://127.0.0.1:3000)
//   O2C_SERVICE_KEY       service key; O2C_FINANCE_KEY: finance key. Unset: read them from
//                         DATA_DIR/api-keys.json (default data/), the file npm start writes
//   O2C_TEMPORAL_UI_URL   printed as where to look (default http://127.0.0.1:8233)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OrderView } from '../workflows/order/contract.js';
import { formatMoney } from '../workflows/order/rules/money.js';

const api = (process.env.O2C_API_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const temporalUi = (process.env.O2C_TEMPORAL_UI_URL || 'http://127.0.0.1:8233').replace(/\/+$/, '');
const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
// Long enough for a cold worker, short enough that a stuck order is reported, not waited on.
const WAIT_MS = 20_000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

// ---- keys ---------------------------------------------------------------------------------

const keysFile = path.resolve(process.env.DATA_DIR || 'data', 'api-keys.json');

function loadKeys(): { service: string; finance: string; fromEnv: boolean } {
  const fromFile = existsSync(keysFile)
    ? (JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, { secret?: string } | undefined>)
    : {};
  const service = process.env.O2C_SERVICE_KEY || fromFile.service?.secret;
  const finance = process.env.O2C_FINANCE_KEY || fromFile.finance?.secret;
  if (!service || !finance) {
    fail(
      `no API keys: set O2C_SERVICE_KEY and O2C_FINANCE_KEY, or point DATA_DIR at the directory ` +
        `whose api-keys.json npm start wrote (looked for ${keysFile})`,
    );
  }
  return { service, finance, fromEnv: Boolean(process.env.O2C_SERVICE_KEY) };
}
const keys = loadKeys();

// ---- HTTP ---------------------------------------------------------------------------------

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
  requestId?: string;
}

class ApiError extends Error {
  constructor(
    readonly request: string,
    readonly status: number,
    readonly problem: Problem | string,
  ) {
    super(`${request} answered ${status}`);
  }
}

async function call<T>(method: string, url: string, key: string, body?: unknown): Promise<T> {
  const request = `${method} ${url}`;
  let res: Response;
  try {
    res = await fetch(`${api}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    fail(`cannot reach the API at ${api} (${cause}); start it with npm start, or set O2C_API_URL`);
  }
  const text = await res.text();
  if (!res.ok) {
    let problem: Problem | string = text;
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      // not JSON: shown as it came
    }
    throw new ApiError(request, res.status, problem);
  }
  return JSON.parse(text) as T;
}

const asService = <T>(method: string, url: string, body?: unknown) => call<T>(method, url, keys.service, body);
const asFinance = <T>(method: string, url: string, body?: unknown) => call<T>(method, url, keys.finance, body);

/** Polls the order until `reached` holds; the workflow moves on after the API has answered. */
async function waitFor(orderId: string, target: string, reached: (o: OrderView) => boolean): Promise<OrderView> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const order = await asService<OrderView>('GET', `/orders/${orderId}`);
    if (reached(order)) return order;
    if (Date.now() > until) {
      fail(`order ${orderId} did not reach ${target} within ${WAIT_MS / 1000} s (it is ${order.status}); is the worker running?`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ---- the scenarios ------------------------------------------------------------------------

// One suffix per run: customer and order IDs are idempotency keys, so a second run with the
// same IDs would only read back the first run's orders.
const run = Date.now().toString(36);
const id = (name: string) => `demo-${run}-${name}`;

const CURRENCY = 'USD';
const money = (minor: number) => formatMoney(minor, CURRENCY);

const customers = {
  // Large limit, Net 30: everything approves automatically.
  good: { customerId: id('good'), name: 'Good Standing Ltd', creditLimitMinor: 5_000_000, paymentTermsDays: 30 },
  // USD 100.00 limit: USD 120.00 is held (above 100%, below 150%); USD 500.00 is rejected.
  tight: { customerId: id('tight'), name: 'Tight Limit Co', creditLimitMinor: 10_000, paymentTermsDays: 30 },
  // Due on receipt: with the demo policy its invoice is due today and dunning starts at once.
  prompt: { customerId: id('prompt'), name: 'Due On Receipt Inc', creditLimitMinor: 5_000_000, paymentTermsDays: 0 },
};

/** One line; no tax, so the amounts are the ones written here. */
function orderBody(orderId: string, customerId: string, quantity: number, unitPriceMinor: number, policy = 'standard') {
  return {
    orderId,
    customerId,
    currency: CURRENCY,
    policy,
    lines: [{ lineId: '1', sku: 'WIDGET-A', description: 'Widget, type A', quantity, unitPriceMinor }],
  };
}

const createOrder = (body: ReturnType<typeof orderBody>) => asService<OrderView>('POST', '/orders', body);

/** Ships every line in full: the workflow invoices before the API answers. */
const shipAll = (order: OrderView) =>
  asService<OrderView>('POST', `/orders/${order.orderId}/shipments`, {
    shipmentId: `${order.orderId}-shp1`,
    lines: order.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
  });

interface Made {
  order: OrderView;
  note: string;
}

async function makeAll(): Promise<Made[]> {
  for (const c of Object.values(customers)) {
    await asService('POST', '/customers', { ...c, currency: CURRENCY, contactEmail: 'ap@example.com' });
  }
  const made: Made[] = [];

  // Held for credit: exposure USD 120.00 against a USD 100.00 limit.
  const held = await createOrder(orderBody(id('held'), customers.tight.customerId, 8, 1_500));
  made.push({
    order: await waitFor(held.orderId, 'credit_hold', (o) => o.status === 'credit_hold'),
    note: 'finance decides: POST /orders/:id/credit-decision',
  });

  // Rejected outright: USD 500.00 is above 150% of the limit. The workflow ends at once.
  const rejected = await createOrder(orderBody(id('rejected'), customers.tight.customerId, 10, 5_000));
  made.push({ order: await waitFor(rejected.orderId, 'credit_rejected', (o) => o.status === 'credit_rejected'), note: 'above 150% of the limit' });

  // Approved and waiting for the warehouse.
  const waiting = await createOrder(orderBody(id('to-ship'), customers.good.customerId, 3, 12_000));
  made.push({
    order: await waitFor(waiting.orderId, 'awaiting_shipment', (o) => o.status === 'awaiting_shipment'),
    note: 'ship: POST /orders/:id/shipments',
  });

  // Cancelled before shipping, by the service that placed it.
  const cancel = await createOrder(orderBody(id('cancelled'), customers.good.customerId, 1, 9_900));
  await asService('POST', `/orders/${cancel.orderId}/cancel`, { reason: 'customer changed their mind' });
  made.push({ order: await waitFor(cancel.orderId, 'cancelled', (o) => o.status === 'cancelled'), note: 'cancelled before shipment' });

  // Shipped and invoiced Net 30: waiting for payment, dunning weeks away.
  const invoiced = await shipAll(await createOrder(orderBody(id('invoiced'), customers.good.customerId, 4, 25_000)));
  made.push({
    order: await waitFor(invoiced.orderId, 'awaiting_payment', (o) => o.status === 'awaiting_payment'),
    note: 'pay: POST /orders/:id/payments',
  });

  // Demo policy, due today: dunning level 1 has offset 0 days, so the first notice goes out
  // within seconds. The status only turns `overdue` once the due date has passed.
  const dunned = await shipAll(await createOrder(orderBody(id('dunning'), customers.prompt.customerId, 2, 7_500, 'demo')));
  const dunnedNow = await waitFor(dunned.orderId, 'dunning level 1', (o) => o.dunningLevel >= 1);
  made.push({
    order: dunnedNow,
    note: `dunning level ${dunnedNow.dunningLevel}; "overdue" after midnight UTC (due ${dunnedNow.invoice?.dueDate})`,
  });

  // Invoiced, then disputed in part by finance: dunning pauses while it is open.
  const disputed = await shipAll(await createOrder(orderBody(id('disputed'), customers.good.customerId, 5, 4_000)));
  await asFinance('POST', `/orders/${disputed.orderId}/disputes`, {
    disputeId: `${disputed.orderId}-d1`,
    amountMinor: 4_000,
    reason: 'one widget arrived damaged',
  });
  made.push({
    order: await waitFor(disputed.orderId, 'disputed', (o) => o.status === 'disputed'),
    note: 'finance resolves: POST /orders/:id/disputes/:disputeId/resolution',
  });

  // Paid in full: the workflow reconciles and closes a moment after the payment is answered.
  const paid = await shipAll(await createOrder(orderBody(id('paid'), customers.good.customerId, 2, 19_900)));
  await asService('POST', `/orders/${paid.orderId}/payments`, {
    paymentReference: `${paid.orderId}-pay1`,
    amountMinor: paid.invoice!.totalMinor,
    currency: CURRENCY,
    method: 'bank_transfer',
  });
  made.push({ order: await waitFor(paid.orderId, 'closed', (o) => o.status === 'closed'), note: 'paid and reconciled' });

  return made;
}

// ---- output -------------------------------------------------------------------------------

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd()).join('\n');
}

function orderTotal(o: OrderView): number {
  return o.invoice?.totalMinor ?? o.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
}

function report(made: Made[]): void {
  const say = (line = '') => process.stdout.write(`${line}\n`);
  const uiQuery = (q: string) => `${temporalUi}/namespaces/${namespace}/workflows?query=${encodeURIComponent(q)}`;
  const example = made.find((m) => m.order.status === 'credit_hold') ?? made[0]!;
  // The key itself is never printed: the commands read it from the environment.
  const key = '$O2C_SERVICE_KEY';

  say(`Demo run ${run}: ${made.length} orders for 3 customers at ${api}`);
  say();
  say(
    table([
      ['order', 'customer', 'state', 'amount', 'what next'],
      ...made.map((m) => [m.order.orderId, m.order.customerId, m.order.status, money(orderTotal(m.order)), m.note]),
    ]),
  );
  say();
  say('Where to look:');
  say(`  Temporal UI   ${temporalUi}/namespaces/${namespace}/workflows`);
  say(`                each order is workflow "order:<order id>"; filter with search attributes, e.g.`);
  say(`                ${uiQuery('OrderStatus="credit_hold"')}`);
  say(`                ${uiQuery('DunningLevel >= 1')}`);
  say(`  API docs      ${api}/docs`);
  if (!keys.fromEnv) {
    say(`  keys          ${keysFile}`);
    say(`                export O2C_SERVICE_KEY=$(node -p 'require(${JSON.stringify(keysFile)}).service.secret')`);
  }
  say(`  one order     curl -s -H "Authorization: Bearer ${key}" ${api}/orders/${example.order.orderId}`);
  say(`  held orders   curl -s -H "Authorization: Bearer ${key}" "${api}/orders?status=credit_hold"`);
}

try {
  report(await makeAll());
} catch (err) {
  if (!(err instanceof ApiError)) throw err;
  process.stderr.write(`${err.message}\n`);
  const p = err.problem;
  if (typeof p === 'string') {
    process.stderr.write(`  ${p || '(empty body)'}\n`);
  } else {
    process.stderr.write(`  ${p.code ?? '?'}: ${p.detail ?? ''}\n`);
    for (const e of p.errors ?? []) process.stderr.write(`  - ${e.path}: ${e.message}\n`);
    if (p.requestId) process.stderr.write(`  request ID ${p.requestId}\n`);
    if (/policy/i.test(p.detail ?? '')) process.stderr.write('  (the demo needs ORDER_POLICIES to include "demo", as npm start has it)\n');
  }
  process.exit(1);
}
