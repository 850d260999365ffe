// A real order stack for workflow tests: the time-skipping (or dev) server, the engine's
// worker with every real activity, and the run's PostgreSQL database.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, bundleWorkflowCode, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import type { DatabaseHandle } from '../../../db/client.js';
import { sql } from 'drizzle-orm';
import { upsertCustomer } from '../../../db/queries/customers.js';
import { postJournalEntry } from '../../../db/queries/ledger.js';
import { recordPayment } from '../../../db/queries/payments.js';
import { createOrderWorker, workflowBundleOptions } from '../../../workers/order-worker.js';
import type { OrderInput, OrderLine, OrderPolicy } from '../../../workflows/order/contract.js';
import { DEFAULT_DUNNING_POLICY } from '../../../workflows/order/rules/dunning.js';
import { paymentEntry } from '../../../workflows/order/rules/journal.js';
import { submitOrder } from '../../../workflows/order/start.js';
import type { orderWorkflow } from '../../../workflows/order/workflow.js';
import { openTestDatabase, uniqueId } from '../../helpers/database.js';

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/**
 * One bundle per test file: bundling is the slow part of starting a worker. Webpack's report
 * is info and stays out of the test output; a bundling warning or error shows.
 */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
  return bundle;
}

export interface Harness {
  env: TestWorkflowEnvironment;
  database: DatabaseHandle;
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startHarness(env: TestWorkflowEnvironment): Promise<Harness> {
  const database = await openTestDatabase();
  const taskQueue = uniqueId('orders');
  const worker = await createOrderWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db: database.db,
    taskQueue,
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  return {
    env,
    database,
    worker,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await database.close();
    },
  };
}

export function testPolicy(overrides: Partial<OrderPolicy> = {}): OrderPolicy {
  return {
    credit: {
      maxOverdueForAutoApprovalMinor: 0,
      rejectAboveLimitBps: 15000,
      reviewSlaMs: 4 * HOUR,
      decisionDeadlineMs: 48 * HOUR,
    },
    fulfillmentDeadlineMs: 14 * DAY,
    dunning: DEFAULT_DUNNING_POLICY,
    // A series of the test's own keeps its numbers predictable beside other tests.
    invoiceSeries: `T${randomBytes(3).toString('hex').toUpperCase()}`,
    ...overrides,
  };
}

export const LINES: OrderLine[] = [
  { lineId: 'l1', sku: 'WIDGET', description: 'Widget', quantity: 10, unitPriceMinor: 10_000 },
  { lineId: 'l2', sku: 'GADGET', description: 'Gadget', quantity: 2, unitPriceMinor: 25_000 },
];

/** A customer of the test's own with the given credit limit, and an order for it. */
export async function newOrder(
  h: Harness,
  opts: { creditLimitMinor?: number; lines?: OrderLine[]; policy?: Partial<OrderPolicy>; taxRateBps?: number } = {},
): Promise<OrderInput> {
  const customerId = uniqueId('cust');
  await upsertCustomer(h.database.db, {
    id: customerId,
    name: `Customer ${customerId}`,
    currency: 'USD',
    creditLimitMinor: opts.creditLimitMinor ?? 100_000_000,
    paymentTermsDays: 30,
    contactEmail: `ap@${customerId}.example`,
  });
  return {
    orderId: uniqueId('ord'),
    customerId,
    currency: 'USD',
    lines: opts.lines ?? LINES,
    taxRateBps: opts.taxRateBps ?? 2000,
    paymentTermsDays: 30,
    policy: testPolicy(opts.policy),
  };
}

/**
 * Starts the order exactly as the API does (Update-with-Start of submitOrder), so it returns
 * once the credit check has an outcome.
 */
export async function startOrder(
  h: Harness,
  input: OrderInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof orderWorkflow>> {
  const { handle } = await submitOrder(h.env.client, input, { taskQueue: h.taskQueue });
  // The handle Update-with-Start gives hides the first run's ID. Describe names it (the dev
  // server as firstRunId); the run it describes is the first one anyway, as an order only
  // continues as new long after its credit check.
  const described = await handle.describe();
  const firstExecutionRunId = described.raw.workflowExecutionInfo?.firstRunId || described.runId;
  const first = h.env.client.workflow.getHandle<typeof orderWorkflow>(handle.workflowId, undefined, { firstExecutionRunId });
  return { ...first, firstExecutionRunId };
}

const HISTORIES = fileURLToPath(new URL('./histories/', import.meta.url));

/**
 * With RECORD_HISTORIES=1 a scenario saves its history, under its scenario name, into the new
 * version folder of this run; the replay test then proves that the workflow code still
 * replays every recorded order. A recorded history is never overwritten.
 */
export async function recordHistory(handle: WorkflowHandle, scenario: string): Promise<void> {
  const version = inject('historiesVersion');
  if (!version) return;
  const history = temporal.api.history.v1.History.toObject(
    temporal.api.history.v1.History.fromObject(await handle.fetchHistory()),
    { longs: String, enums: String, bytes: String },
  );
  writeFileSync(path.join(HISTORIES, version, `${scenario}.json`), `${JSON.stringify(history, null, 1)}\n`, { flag: 'wx' });
}

export function loadHistory(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(file, 'utf8')));
}

/** Retries an assertion until it holds: a worker may still be finishing what a timer started. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The reason an update's validator gave; fails if the update was accepted. */
export async function refusal(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return String((err.cause as Error | undefined)?.message);
    throw err;
  }
  throw new Error('the update was accepted, not refused');
}

/**
 * The per-file setup every order test shares: a server from `startServer`, the engine's
 * worker on it, torn down after the file. `use` receives both once they are up.
 */
export function useOrderHarness(
  startServer: () => Promise<TestWorkflowEnvironment>,
  use: (env: TestWorkflowEnvironment, harness: Harness) => void,
): void {
  let env: TestWorkflowEnvironment | undefined;
  let harness: Harness | undefined;
  beforeAll(async () => {
    env = await startServer();
    harness = await startHarness(env);
    use(env, harness);
  });
  afterAll(async () => {
    await harness?.stop();
    await env?.teardown();
  });
}

/** A payment as the gateway reports it, in the order's currency unless told otherwise. */
export function payment(ref: string, amountMinor: number, currency = 'USD') {
  return { paymentReference: ref, amountMinor, currency, method: 'bank_transfer' as const, receivedAt: '2026-12-01T10:00:00Z' };
}

/** Cash applied to the order's invoice outside the order (a mis-keyed bank match) and never posted: the ledger no longer agrees. */
export async function applyStrayCash(h: Harness, input: OrderInput, invoiceNumber: string): Promise<void> {
  await recordPayment(h.database.db, {
    paymentReference: `stray-${input.orderId}`,
    customerId: input.customerId,
    orderId: input.orderId,
    invoiceNumber,
    amountMinor: 1_000,
    currency: 'USD',
    method: 'other',
    receivedAt: new Date('2026-12-02T00:00:00Z'),
    appliedMinor: 1_000,
    unappliedMinor: 0,
  });
}

/** Finance posts the stray cash to the ledger as well: the books and the ledger agree again. */
export async function postStrayCash(h: Harness, input: OrderInput, invoiceNumber: string): Promise<void> {
  await postJournalEntry(h.database.db, {
    entryKey: `manual:stray-${input.orderId}`,
    ...paymentEntry(1_000, 0),
    orderId: input.orderId,
    invoiceNumber,
    currency: 'USD',
    postedAt: new Date('2026-12-02T00:00:00Z'),
  });
}
