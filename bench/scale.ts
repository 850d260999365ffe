// Scale: many orders open at once, waiting for payment, and the dunning wave when they all
// fall due together.
//
// The open orders run on the dev server. Due dates are calendar days, so orders opened
// together fall due together at a UTC midnight, which no bench waits for; the wave therefore
// runs on the time-skipping server, where one skip of the clock makes every order's first
// notice due at the same instant, as midnight does in production.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DatabaseHandle } from '../db/client.js';
import { totalFootprint } from '../db/queries/footprint.js';
import { countNoticesBySubject } from '../db/queries/notifications.js';
import { TEST_SERVER, resolveTemporalExecutable } from '../workers/runtime/temporal-binaries.js';
import { registerOrderSearchAttributes } from '../workers/runtime/temporal-servers.js';
import { CallTimes, openEngineOrder, orderBody } from './orders.js';
import { type NodeProcess, UsageMeter, startNode } from './processes.js';
import type { ScaleResult } from './report.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** The worker's workflow cache, bounded: most open orders are evicted and replay on wake. */
export const SCALE_MAX_CACHED_WORKFLOWS = 500;
/** Enough callers to keep the server busy: the server, not the callers, sets the pace. */
const CONCURRENCY = 128;
/**
 * Fewer on the time-skipping server: at 128, its update-with-start fails with a
 * NullPointerException in waitForUpdateResponse (printed by the server, retried here), and
 * 32 open orders there as fast.
 */
const WAVE_CONCURRENCY = 32;

export interface ScaleOptions {
  orders: number;
  waveOrders: number;
  client: Client;
  /** The dev server's address and process. */
  address: string;
  serverPid: number;
  database: DatabaseHandle;
  databaseUrl: string;
  /** The engine's workflow code, built ahead of time. */
  workflowBundle: string;
  runId: string;
  say: (line: string) => void;
  nodeArgs: (name: string) => string[];
}

function startEngineWorker(address: string, o: ScaleOptions, nodeArgs: string[]): Promise<NodeProcess> {
  return startNode(
    'worker',
    path.join(root, 'workers', 'main.ts'),
    {
      TEMPORAL_ADDRESS: address,
      DATABASE_URL: o.databaseUrl,
      WORKFLOW_BUNDLE: o.workflowBundle,
      // At info the SDK says when the worker runs: the time-skipping server lists no pollers.
      LOG_LEVEL: 'info',
      WORKER_MAX_CACHED_WORKFLOWS: String(SCALE_MAX_CACHED_WORKFLOWS),
    },
    async (output) => /state: 'RUNNING'|"state":"RUNNING"|RUNNING/.test(output),
    90_000,
    nodeArgs,
  );
}

/** Opens `count` orders (created, approved, shipped, invoiced), `concurrency` at a time. */
async function openOrders(client: Client, runId: string, count: number, concurrency = CONCURRENCY): Promise<void> {
  const calls = new CallTimes();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let n = next++; n < count; n = next++) {
        // A refused or failed call is tried again: opening an order is idempotent.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await openEngineOrder(client, orderBody(`${runId}-${n}`, n), calls);
            break;
          } catch (err) {
            if (attempt >= 5) throw err;
            await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
          }
        }
      }
    }),
  );
}

export async function runScale(o: ScaleOptions): Promise<ScaleResult> {
  // ---- many open orders on the dev server ------------------------------------------------
  const worker = await startEngineWorker(o.address, o, o.nodeArgs('scale-worker'));
  let result: ScaleResult;
  try {
    const before = await totalFootprint(o.database);
    const meter = new UsageMeter({ worker: worker.pid, server: o.serverPid });
    const t0 = performance.now();
    await openOrders(o.client, o.runId, o.orders);
    const seconds = (performance.now() - t0) / 1000;
    const usage = meter.stop();
    const after = await totalFootprint(o.database);
    const rssAfter = new UsageMeter({ worker: worker.pid }).stop().worker!.peakRssBytes;
    result = {
      orders: o.orders,
      openSeconds: seconds,
      openedPerSecond: o.orders / seconds,
      maxCachedWorkflows: SCALE_MAX_CACHED_WORKFLOWS,
      workerPeakRssBytes: usage.worker!.peakRssBytes,
      workerRssAfterBytes: rssAfter,
      cpuMsPerOrder: Object.fromEntries(
        ['worker', 'server', 'postgres'].map((p) => [p, ((usage[p]?.cpuSeconds ?? 0) * 1000) / o.orders]),
      ),
      databaseRowsPerOrder: (after.rows - before.rows) / o.orders,
      databaseBytesPerOrder: (after.bytes - before.bytes) / o.orders,
    };
    o.say(`scale: ${o.orders} open orders in ${seconds.toFixed(0)} s, worker peak RSS ${(usage.worker!.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await worker.stop();
  }
  if (o.waveOrders > 0) result.wave = await dunningWave(o);
  return result;
}

/**
 * Opens `waveOrders` orders on the time-skipping server, then skips its clock past the day
 * their first notice (the reminder before the due date) is due: every order wakes at once.
 * Counts each order's notices in the outbox until all are there or none came for a while.
 */
async function dunningWave(o: ScaleOptions): Promise<NonNullable<ScaleResult['wave']>> {
  const t0Wave = performance.now();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: resolveTemporalExecutable(TEST_SERVER, { allowDownload: false }) },
  });
  try {
    await registerOrderSearchAttributes(env.connection, 'default');
    const connection = await Connection.connect({ address: env.address });
    const client = new Client({ connection });
    const worker = await startEngineWorker(env.address, o, o.nodeArgs('wave-worker')).catch(async (err: unknown) => {
      await connection.close();
      throw err;
    });
    try {
      const runId = `${o.runId}-wave`;
      // The server skips its clock whenever it is idle with timers pending: held while the
      // orders open, so that none falls due before the others.
      const testService = env.connection.testService!; // a time-skipping server has one
      await testService.lockTimeSkipping({});
      const t0Open = performance.now();
      await openOrders(client, runId, o.waveOrders, WAVE_CONCURRENCY);
      const openSeconds = (performance.now() - t0Open) / 1000;
      const early = (await countNoticesBySubject(o.database.db, 'payment_reminder', `${runId}-`)).length;
      o.say(`wave: ${o.waveOrders} orders open on the time-skipping server in ${openSeconds.toFixed(0)} s (${early} reminded early); skipping to their reminder day`);
      await testService.unlockTimeSkipping({});
      const meter = new UsageMeter({ worker: worker.pid });
      const t0 = Date.now();
      // Net 30, reminder 3 days before the due date: day 27. Level 1 comes days later. The
      // call that skips the clock is not awaited: the outbox says when the wave is through, and
      // a long call cut by the connection would be sent again and skip another 28 days.
      const skipping = env.sleep('28 days').catch(() => undefined);
      let counts: Awaited<ReturnType<typeof countNoticesBySubject>> = [];
      let lastChange = Date.now();
      let seen = -1;
      for (;;) {
        counts = await countNoticesBySubject(o.database.db, 'payment_reminder', `${runId}-`);
        const total = counts.reduce((sum, c) => sum + c.notices, 0);
        if (total !== seen) {
          seen = total;
          lastChange = Date.now();
        }
        if (counts.length >= o.waveOrders || Date.now() - lastChange > 20_000) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const usage = meter.stop();
      void skipping; // ends with the server
      const notices = counts.reduce((sum, c) => sum + c.notices, 0);
      const lastAt = Math.max(...counts.map((c) => c.lastAt.getTime()), t0);
      const secondsToLast = (lastAt - t0) / 1000;
      return {
        server: 'time-skipping server',
        orders: o.waveOrders,
        notices,
        noticesPerSecond: secondsToLast > 0 ? notices / secondsToLast : 0,
        secondsToLast,
        missing: o.waveOrders - counts.length,
        early,
        doubled: counts.filter((c) => c.notices > 1).length,
        workerPeakRssBytes: usage.worker!.peakRssBytes,
        seconds: (performance.now() - t0Wave) / 1000,
      };
    } finally {
      await worker.stop();
      await connection.close();
    }
  } finally {
    await env.teardown();
  }
}
