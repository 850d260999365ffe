// What every fault test shares: a database of the test's own, the engine as separate
// processes (test/helpers/engine.ts), an HTTP client that counts the answers of each attack,
// the wait until the engine is at rest, and the verdict: every request answered 2xx is in the
// books and in the order, the order's view, its row and the books agree, nothing is doubled.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { type ApiRole, issueApiKey } from '../../api/auth.js';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { orderWorkflowId } from '../../workflows/order/contract.js';
import type { OrderView } from '../../workflows/order/contract.js';
import { type Engine, startEngine } from '../helpers/engine.js';
import { auditFindings } from '../helpers/ledger-audit.js';

// ---- the test's own database and engine ---------------------------------------------------

export interface OwnDatabase {
  url: string;
  handle: DatabaseHandle;
  /** Raw reads of the books. */
  sql: postgres.Sql;
  drop(): Promise<void>;
}

/**
 * A migrated database `name` on the server `adminUrl` points at (the run's shared server
 * unless told): the engine's processes and the test's reads use it, and nothing else does.
 */
export async function ownDatabase(adminUrl = inject('adminDatabaseUrl')): Promise<OwnDatabase> {
  const name = `o2c_fault_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 2 });
  await handle.migrate();
  const sql = postgres(url.toString(), { max: 4, onnotice: () => {} });
  return {
    url: url.toString(),
    handle,
    sql,
    async drop() {
      await sql.end({ timeout: 5 }).catch(() => {});
      await handle.close().catch(() => {});
      await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await admin.end({ timeout: 5 });
    },
  };
}

export interface Stack {
  database: OwnDatabase;
  engine: Engine;
  api: Api;
  stop(): Promise<void>;
}

/** The test's database (created by `database`), the engine on it, and one API key per role. */
export async function startStack(database: OwnDatabase, temporalArgs: string[] = []): Promise<Stack> {
  const engine = await startEngine({ databaseUrl: database.url, workflowBundle: inject('workflowBundle'), temporalArgs });
  const db = database.handle.db;
  const keys = Object.fromEntries(
    await Promise.all((['service', 'finance', 'operator'] as const).map(async (role) => [role, (await issueApiKey(db, `fault-${role}`, role)).secret])),
  ) as Record<ApiRole, string>;
  return {
    database,
    engine,
    api: new Api(engine.api.url, keys),
    async stop() {
      await engine.stop();
    },
  };
}

/** Gives the test file a database and an engine of its own, stopped and dropped after its tests. */
export function useOwnStack(use: (stack: Stack) => void): void {
  let database: OwnDatabase | undefined;
  let stack: Stack | undefined;
  beforeAll(async () => {
    database = await ownDatabase();
    stack = await startStack(database);
    use(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
  });
}

// ---- HTTP, counted -----------------------------------------------------------------------

export interface Answer {
  /** The HTTP status; 0 when no answer came (the connection failed). */
  status: number;
  body: any;
  text: string;
  retryAfterSeconds: number | null;
}

export class Api {
  constructor(
    readonly url: string,
    readonly keys: Record<ApiRole, string>,
  ) {}

  /** One request; `raw` is sent as the body as it is (JSON that JSON.stringify cannot write). */
  async call(role: ApiRole | null, method: string, path: string, body?: unknown, raw?: string): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (role) headers.authorization = `Bearer ${this.keys[role]}`;
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(`${this.url}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(120_000) });
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      const retryAfter = res.headers.get('retry-after');
      return { status: res.status, body: parsed, text, retryAfterSeconds: retryAfter ? Number(retryAfter) : null };
    } catch (err) {
      return { status: 0, body: null, text: String((err as Error).cause ?? err), retryAfterSeconds: null };
    }
  }
}

/** One attack's figures: requests sent, answers by status, and what the verdict found lost or doubled. */
export class Attack {
  sent = 0;
  readonly answers = new Map<number, number>();
  lost = 0;
  doubled = 0;
  /** Shipments and payments in the books but not in the order, or in the order but not in the books. */
  disagreeing = 0;
  /** Further figures worth printing (in flight at the kill, seconds down...). */
  readonly notes: Record<string, number | string> = {};
  /** The first body of each 5xx status, for the failure message. */
  readonly samples = new Map<number, string>();

  constructor(readonly name: string) {}

  record(answer: Answer): Answer {
    this.sent += 1;
    if (answer.status >= 500 && !this.samples.has(answer.status)) this.samples.set(answer.status, answer.text.slice(0, 500));
    this.answers.set(answer.status, (this.answers.get(answer.status) ?? 0) + 1);
    return answer;
  }

  /** Sends through `api` and counts the answer. */
  async send(api: Api, role: ApiRole, method: string, path: string, body?: unknown, raw?: string): Promise<Answer> {
    return this.record(await api.call(role, method, path, body, raw));
  }

  count(status: number): number {
    return this.answers.get(status) ?? 0;
  }

  summary() {
    return {
      attack: this.name,
      sent: this.sent,
      answers: Object.fromEntries([...this.answers].sort(([a], [b]) => a - b).map(([s, n]) => [s === 0 ? 'no answer' : String(s), n])),
      lost: this.lost,
      doubled: this.doubled,
      disagreeing: this.disagreeing,
      ...this.notes,
    };
  }

  line(): string {
    const answers = [...this.answers]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status === 0 ? 'no answer' : status} ×${n}`)
      .join(', ');
    const notes = Object.entries(this.notes).map(([k, v]) => `, ${k} ${v}`).join('');
    return `${this.name}: sent ${this.sent}; answers ${answers || 'none'}; lost ${this.lost}, doubled ${this.doubled}, in the books or the order only ${this.disagreeing}${notes}`;
  }
}

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Each attack's figures, in the JSON report. */
    faults?: Array<ReturnType<Attack['summary']>>;
  }
}

/**
 * Prints each attack's figures at warn level (the tests print nothing else when they pass),
 * and the ledger audit's findings if it has any; keeps the figures in the test's entry of the
 * JSON report (`meta.faults`).
 */
export function report(
  task: { name: string; meta: { faults?: Array<ReturnType<Attack['summary']>> } },
  attacks: Attack[],
  auditFindings: string[] = [],
): void {
  task.meta.faults = attacks.map((a) => a.summary());
  const audit = auditFindings.length > 0 ? `\n  ledger audit, ${auditFindings.length} finding(s):\n    ${auditFindings.slice(0, 10).join('\n    ')}` : '';
  console.warn(`[faults] ${task.name}\n${attacks.map((a) => `  ${a.line()}`).join('\n')}${audit}`);
}

/** Runs `work` over `items`, `concurrency` at a time, in order of the items. */
export async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i]!, i);
    }),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * As a client that follows Retry-After does: sends until the answer is neither 429, 503 nor no
 * answer at all, for at most `forMs`. Each wait is Retry-After (1 s when none came) and up to as
 * much again at random, so that clients refused together do not all come back together.
 */
export async function untilAnswered(attack: Attack, send: () => Promise<Answer>, forMs = 180_000): Promise<Answer> {
  const deadline = Date.now() + forMs;
  for (;;) {
    const answer = attack.record(await send());
    if (answer.status !== 0 && answer.status !== 429 && answer.status !== 503) return answer;
    if (Date.now() > deadline) return answer;
    const waitS = Math.min(5, answer.retryAfterSeconds ?? 1);
    await sleep(waitS * 1_000 * (1 + Math.random()));
  }
}

// ---- orders ------------------------------------------------------------------------------

export const LINES = [
  { lineId: 'l1', sku: 'WIDGET', description: 'Widget', quantity: 10, unitPriceMinor: 10_000 },
  { lineId: 'l2', sku: 'GADGET', description: 'Gadget', quantity: 2, unitPriceMinor: 25_000 },
];
/** 150,000 plus 10% tax. */
export const ORDER_TOTAL_MINOR = 165_000;
export const FULL_SHIPMENT = LINES.map((l) => ({ lineId: l.lineId, quantity: l.quantity }));

export function uid(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function orderBody(orderId: string, customerId: string) {
  return { orderId, customerId, currency: 'USD', lines: LINES, taxRateBps: 1000 };
}

/** A customer whose limit no test reaches. */
export async function createCustomer(api: Api): Promise<string> {
  const customerId = uid('cust');
  const res = await api.call('service', 'POST', '/customers', {
    customerId,
    name: `Customer ${customerId}`,
    currency: 'USD',
    creditLimitMinor: 1_000_000_000_000,
    paymentTermsDays: 30,
  });
  if (res.status !== 201) throw new Error(`customer not created: ${res.status} ${res.text}`);
  return customerId;
}

/** Sends until answered (see untilAnswered) and throws unless the answer is `expected`; for setting up, not attacking. */
async function must(attack: Attack, expected: number[], what: string, send: () => Promise<Answer>): Promise<Answer> {
  const answer = await untilAnswered(attack, send);
  if (!expected.includes(answer.status)) throw new Error(`${what}: ${answer.status} ${answer.text}`);
  return answer;
}

/** `count` orders of the customer, created `concurrency` at a time; their IDs. */
export async function createOrders(api: Api, attack: Attack, customerId: string, count: number, concurrency = 8): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${uid('ord')}-${i}`);
  await inPool(ids, concurrency, async (orderId) => {
    await must(attack, [200, 201], `order ${orderId}`, () => api.call('service', 'POST', '/orders', orderBody(orderId, customerId)));
  });
  return ids;
}

/** Ships each order in full (its invoice is issued in the same step); for setting up. */
export async function shipOrders(api: Api, attack: Attack, orderIds: string[], concurrency = 8): Promise<void> {
  await inPool(orderIds, concurrency, async (orderId) => {
    const shipment = { shipmentId: `shp-${orderId}`, lines: FULL_SHIPMENT };
    // A repeat (its first attempt timed out) answers as the first does, once that one is invoiced.
    await must(attack, [200], `shipment of ${orderId}`, () => api.call('service', 'POST', `/orders/${orderId}/shipments`, shipment));
  });
}

// ---- at rest -----------------------------------------------------------------------------

export interface OrderRow {
  id: string;
  status: string;
  amount_due_minor: string;
  invoice_number: string | null;
  closed_at: Date | null;
}

export interface OrderAtRest {
  orderId: string;
  view: OrderView;
  row: OrderRow;
}

/** Why the order is not where a test expects it at rest; null when it is. */
export type Expectation = (order: OrderAtRest) => string | null;

export const statusIs =
  (...statuses: string[]): Expectation =>
  ({ view }) =>
    statuses.includes(view.status) ? null : `status ${view.status}, expected ${statuses.join(' or ')}`;

/** One look at an order: its view from the API, its row, and whether Temporal still has work for it. */
async function look(stack: Stack, orderId: string, rows: Map<string, OrderRow>): Promise<{ order?: OrderAtRest; busy?: string }> {
  const answer = await stack.api.call('operator', 'GET', `/orders/${orderId}`);
  if (answer.status !== 200) return { busy: `GET answered ${answer.status}` };
  const row = rows.get(orderId);
  if (!row) return { busy: 'no row' };
  try {
    const described = await stack.engine.client.connection.withDeadline(Date.now() + 5_000, () =>
      stack.engine.client.workflow.getHandle(orderWorkflowId(orderId)).describe(),
    );
    if (described.raw.pendingWorkflowTask) return { busy: 'a workflow task is pending' };
    if ((described.raw.pendingActivities ?? []).length > 0) return { busy: 'an activity is pending' };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) return { busy: `describe failed: ${(err as Error).message.split('\n')[0]}` };
  }
  const view = answer.body as OrderView;
  if (row.status !== view.status) return { busy: `row status ${row.status}, view status ${view.status}` };
  return { order: { orderId, view, row } };
}

export interface Rest {
  /** Every order whose view and row could be read, where it stands. */
  orders: Map<string, OrderAtRest>;
  /** Why each order that is not where it should be is not (stuck, after the deadline); [] once all are. */
  stuck: string[];
}

/**
 * Waits until the engine is at rest for these orders: each one's view answers, its row shows
 * its status, Temporal has no task pending for it and it is where `expected` says, twice in a
 * row a second apart. After `timeoutMs` it gives up and names each order that is not (stuck).
 */
export async function atRest(stack: Stack, orderIds: string[], expected: Expectation, timeoutMs = 240_000): Promise<Rest> {
  const deadline = Date.now() + timeoutMs;
  let calm = 0;
  for (;;) {
    const rows = new Map<string, OrderRow>();
    const problems: string[] = [];
    const found = new Map<string, OrderAtRest>();
    try {
      for (const row of await stack.database.sql<OrderRow[]>`
        select id, status, amount_due_minor, invoice_number, closed_at from orders where id = any(${orderIds})`) {
        rows.set(row.id, row);
      }
    } catch (err) {
      problems.push(`the database: ${(err as Error).message}`);
    }
    if (problems.length === 0) {
      await inPool(orderIds, 8, async (orderId) => {
        const { order, busy } = await look(stack, orderId, rows);
        if (order) found.set(orderId, order);
        const why = busy ?? expected(order!);
        if (why) problems.push(`order ${orderId}: ${why}`);
      });
    }
    calm = problems.length === 0 ? calm + 1 : 0;
    if (calm >= 2) return { orders: found, stuck: [] };
    if (Date.now() > deadline) return { orders: found, stuck: problems.sort() };
    await sleep(1_000);
  }
}

// ---- the verdict -------------------------------------------------------------------------

/** A request the test made that moves an order, and the last answer it got. */
export interface Request {
  kind: 'order' | 'shipment' | 'payment';
  orderId: string;
  /** The order's, the shipment's or the payment's own ID. */
  id: string;
  amountMinor?: number;
  status: number;
  /** The last answer's body, when it was not 2xx. */
  answer?: string;
}

export interface Verdict {
  /** A request answered 2xx whose effect is missing from the books or the order. */
  lost: string[];
  /** Something recorded more than once. */
  doubled: string[];
  /** The order's view, its row and the books disagree. */
  disagree: string[];
  /** How many shipments and payments are in the books but not in the order, or the other way round. */
  oneSided: number;
}

/**
 * Compares, for each order at rest, its view (GET /orders/:id), its row and the books
 * (shipments, invoices, payments with their customer credit, payment entries), and every
 * request with what its answer promised.
 */
export async function verdict(stack: Stack, orders: Map<string, OrderAtRest>, requests: Request[]): Promise<Verdict> {
  const sql = stack.database.sql;
  const ids = [...orders.keys()];
  const v: Verdict = { lost: [], doubled: [], disagree: [], oneSided: 0 };
  const byOrder = <T extends { order_id: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const r of rows) map.set(r.order_id, [...(map.get(r.order_id) ?? []), r]);
    return map;
  };
  const shipments = byOrder(await sql<Array<{ order_id: string; shipment_id: string }>>`
    select order_id, shipment_id from shipments where order_id = any(${ids})`);
  const invoices = byOrder(await sql<Array<{ order_id: string; invoice_number: string }>>`
    select order_id, invoice_number from invoices where order_id = any(${ids})`);
  const payments = byOrder(await sql<Array<{ order_id: string; payment_reference: string; amount_minor: string; credit_minor: string | null }>>`
    select p.order_id, p.payment_reference, p.amount_minor, c.amount_minor as credit_minor
    from payments p left join customer_credits c using (payment_reference)
    where p.order_id = any(${ids})`);
  const entries = byOrder(await sql<Array<{ order_id: string; entry_key: string }>>`
    select order_id, entry_key from journal_entries where kind = 'payment' and order_id = any(${ids})`);

  const repeated = (values: string[]) => [...new Set(values.filter((x, i) => values.indexOf(x) !== i))];
  const missingFrom = (a: string[], b: Set<string>) => a.filter((x) => !b.has(x));

  for (const [orderId, { view, row }] of orders) {
    const viewShipments = view.shipments.map((s) => s.shipmentId);
    const bookShipments = (shipments.get(orderId) ?? []).map((s) => s.shipment_id);
    for (const id of repeated(viewShipments)) v.doubled.push(`order ${orderId}: shipment ${id} twice in the order`);
    for (const id of missingFrom(bookShipments, new Set(viewShipments))) {
      v.oneSided += 1;
      v.disagree.push(`order ${orderId}: the books hold shipment ${id}, the order does not`);
    }
    for (const id of missingFrom(viewShipments, new Set(bookShipments))) {
      v.oneSided += 1;
      v.disagree.push(`order ${orderId}: the order holds shipment ${id}, the books do not`);
    }

    const bookInvoices = (invoices.get(orderId) ?? []).map((i) => i.invoice_number);
    if (bookInvoices.length > 1) v.doubled.push(`order ${orderId}: ${bookInvoices.length} invoices (${bookInvoices.join(', ')})`);
    const viewInvoice = view.invoice?.invoiceNumber ?? null;
    if ((bookInvoices[0] ?? null) !== viewInvoice || row.invoice_number !== viewInvoice) {
      v.disagree.push(`order ${orderId}: invoice in the order ${viewInvoice}, in its row ${row.invoice_number}, in the books ${bookInvoices.join(', ') || 'none'}`);
    }

    const viewPayments = view.payments.map((p) => p.paymentReference);
    const bookPayments = payments.get(orderId) ?? [];
    const bookRefs = bookPayments.map((p) => p.payment_reference);
    for (const ref of repeated(viewPayments)) v.doubled.push(`order ${orderId}: payment ${ref} twice in the order`);
    const postings = (entries.get(orderId) ?? []).map((e) => e.entry_key.replace(/^.*:journal:payment:/, ''));
    for (const ref of repeated(postings)) v.doubled.push(`order ${orderId}: payment ${ref} posted twice`);
    const notInOrder = missingFrom(bookRefs, new Set(viewPayments));
    v.oneSided += notInOrder.length;
    if (notInOrder.length > 0) {
      const amount = bookPayments.filter((p) => notInOrder.includes(p.payment_reference)).reduce((s, p) => s + Number(p.amount_minor), 0);
      v.disagree.push(
        `order ${orderId}: the books hold ${notInOrder.length} payment(s) (${amount} minor units) the order does not: ${notInOrder.slice(0, 5).join(', ')}${notInOrder.length > 5 ? ', ...' : ''}`,
      );
    }
    const notInBooks = missingFrom(viewPayments, new Set(bookRefs));
    v.oneSided += notInBooks.length;
    if (notInBooks.length > 0) v.disagree.push(`order ${orderId}: the order holds ${notInBooks.length} payment(s) the books do not: ${notInBooks.slice(0, 5).join(', ')}`);
    const bookCredit = bookPayments.reduce((s, p) => s + Number(p.credit_minor ?? 0), 0);
    if (view.customerCreditMinor !== bookCredit) {
      v.disagree.push(`order ${orderId}: customer credit in the order ${view.customerCreditMinor}, in the books ${bookCredit}`);
    }
    const closed = row.closed_at !== null;
    if (!closed && Number(row.amount_due_minor) !== view.balanceMinor) {
      v.disagree.push(`order ${orderId}: balance in the order ${view.balanceMinor}, in its row ${row.amount_due_minor}`);
    }
  }

  for (const r of requests) {
    if (r.status < 200 || r.status >= 300) continue;
    const order = orders.get(r.orderId);
    if (!order) {
      v.lost.push(`${r.kind} ${r.id} answered ${r.status}: order ${r.orderId} is not in the books`);
      continue;
    }
    if (r.kind === 'shipment') {
      const inBooks = (shipments.get(r.orderId) ?? []).some((s) => s.shipment_id === r.id);
      const inOrder = order.view.shipments.some((s) => s.shipmentId === r.id);
      if (!inBooks || !inOrder) v.lost.push(`shipment ${r.id} of order ${r.orderId} answered ${r.status}: in the books ${inBooks}, in the order ${inOrder}`);
    } else if (r.kind === 'payment') {
      const inBooks = (payments.get(r.orderId) ?? []).some((p) => p.payment_reference === r.id);
      const inOrder = order.view.payments.some((p) => p.paymentReference === r.id);
      if (!inBooks || !inOrder) v.lost.push(`payment ${r.id} of order ${r.orderId} answered ${r.status}: in the books ${inBooks}, in the order ${inOrder}`);
    }
  }
  return v;
}

/**
 * The ledger audit of the test's orders (`npm run audit:ledger` scoped to them), with each live
 * order's workflow balance: its findings, one line each; [] when the books are clean.
 */
export function auditBooks(stack: Stack, orderIds: string[]): Promise<string[]> {
  return auditFindings(stack.database.handle.db, { orderIds }, { temporal: stack.engine.client, queryTimeoutMs: 15_000 });
}

/** Counts what the verdicts found (at rest before and after the repeats, say) into the attack's figures, once each. */
export function tally(attack: Attack, ...verdicts: Verdict[]): void {
  attack.lost += new Set(verdicts.flatMap((v) => v.lost)).size;
  attack.doubled += new Set(verdicts.flatMap((v) => v.doubled)).size;
  attack.disagreeing += Math.max(0, ...verdicts.map((v) => v.oneSided));
}

/** What the verdict found, one line each: lost, doubled, disagreeing; [] when nothing. */
export function verdictLines(v: Verdict): string[] {
  return [...v.lost.map((l) => `lost: ${l}`), ...v.doubled.map((l) => `doubled: ${l}`), ...v.disagree.map((l) => `disagree: ${l}`)];
}

// ---- an attack's end ----------------------------------------------------------------------

/** Orders at rest, and what they hold judged against the answers the requests got. */
export interface Judged {
  rest: Rest;
  found: Verdict;
}

/** Waits until the orders are at rest where `expected` says, then judges them against `requests`. */
export async function judgeAtRest(stack: Stack, orderIds: string[], expected: Expectation, requests: Request[]): Promise<Judged> {
  const rest = await atRest(stack, orderIds, expected);
  return { rest, found: await verdict(stack, rest.orders, requests) };
}

/**
 * Ends an attack: counts what the judgements found into its figures, audits the books of its
 * orders and prints the figures of `shown` (the attack alone unless told). Returns the audit's
 * findings.
 */
export async function closeAttack(
  stack: Stack,
  task: Parameters<typeof report>[0],
  attack: Attack,
  orderIds: string[],
  judged: Judged[],
  shown: Attack[] = [attack],
): Promise<string[]> {
  tally(attack, ...judged.map((j) => j.found));
  const findings = await auditBooks(stack, orderIds);
  attack.notes['audit findings'] = findings.length;
  report(task, shown, findings);
  return findings;
}

/** What every attack must end with: no order stuck, nothing lost, doubled or disagreeing, a clean audit. */
export function expectSound(judged: Judged[], findings: string[]): void {
  for (const { rest, found } of judged) {
    expect.soft(rest.stuck, 'orders not where they should be at rest').toEqual([]);
    expect.soft(verdictLines(found), 'lost, doubled or disagreeing').toEqual([]);
  }
  expect.soft(findings, 'the ledger audit').toEqual([]);
}

// ---- orders moving -----------------------------------------------------------------------

/**
 * Moves each order from creation to closed over HTTP, `concurrency` orders at a time: created,
 * shipped in full (invoiced), paid in full. Each step is repeated while it gets 503, 429 or no
 * answer, as Retry-After tells a client to; a repeat is the same request (same IDs), so it
 * answers as the first one did once that took effect. Every step's last answer is kept in
 * `requests`; a step with another answer ends its order's flow (the verdict names it).
 * `onClosed` is told how many orders have been paid so far.
 */
export async function moveOrders(
  api: Api,
  attack: Attack,
  customerId: string,
  orderIds: string[],
  requests: Request[],
  options: { concurrency: number; onPaid?: (paid: number) => void },
): Promise<void> {
  let paid = 0;
  // True when the step was answered 2xx: a repeat answers as the first attempt did.
  const step = async (request: Request, send: () => Promise<Answer>): Promise<boolean> => {
    requests.push(request);
    const answer = await untilAnswered(attack, send);
    request.status = answer.status;
    if (answer.status < 200 || answer.status >= 300) request.answer = answer.text.slice(0, 300);
    return !request.answer;
  };
  await inPool(orderIds, options.concurrency, async (orderId) => {
    if (!(await step({ kind: 'order', orderId, id: orderId, status: 0 }, () => api.call('service', 'POST', '/orders', orderBody(orderId, customerId))))) return;
    const shipmentId = `shp-${orderId}`;
    const shipment = { shipmentId, lines: FULL_SHIPMENT };
    if (!(await step({ kind: 'shipment', orderId, id: shipmentId, status: 0 }, () => api.call('service', 'POST', `/orders/${orderId}/shipments`, shipment)))) return;
    const paymentReference = `pay-${orderId}`;
    const payment = { paymentReference, amountMinor: ORDER_TOTAL_MINOR, currency: 'USD', method: 'bank_transfer', receivedAt: '2026-11-23T09:30:00Z' };
    if (await step({ kind: 'payment', orderId, id: paymentReference, amountMinor: ORDER_TOTAL_MINOR, status: 0 }, () => api.call('service', 'POST', `/orders/${orderId}/payments`, payment))) {
      paid += 1;
      options.onPaid?.(paid);
    }
  });
}

/**
 * Answers a server should never give, whatever breaks: 5xx other than 503, each with its first
 * body, and the first lines the API logged at error level; [] when there were none.
 */
export function serverErrors(stack: Stack, attacks: Attack[]): string[] {
  const errors = attacks.flatMap((a) =>
    [...a.answers]
      .filter(([status]) => status >= 500 && status !== 503)
      .map(([status, n]) => `${a.name}: ${status} ×${n}, such as ${a.samples.get(status)}`),
  );
  if (errors.length === 0) return [];
  const logged = stack.engine.api
    .output()
    .split('\n')
    .filter((line) => line.includes('"level":50'))
    .slice(0, 3)
    .map((line) => `the API logged: ${line.slice(0, 3_000)}`);
  return [...errors, ...logged];
}

/** Each request whose last answer was not 2xx, with that answer. */
export function unanswered(requests: Request[]): string[] {
  return requests
    .filter((r) => r.status < 200 || r.status >= 300).map((r) => `${r.kind} ${r.id}: ${r.status}${r.answer ? ` ${r.answer}` : ''}`);
}
