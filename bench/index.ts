// `npm run bench [-- --quick] [-- --only=f,a,d,c] [-- --sweep=1,8] [-- --seconds=S]
//   [-- --no-scale] [-- --scale=N] [-- --wave=N] [-- --profile]`
//
// Orders per second and what each costs, for the engine and for what Temporal alone does on
// the same machine in the same run: a fresh dev server per workload (its own SQLite file), a
// fresh PostgreSQL database, the engine's worker and API as the processes production runs.
// Prints one report and writes it as JSON under bench/results/ (git-ignored).
// Figures live here, never in timed tests.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import postgres from 'postgres';
import { type DatabaseHandle, openDatabase } from '../db/client.js';
import { totalFootprint } from '../db/queries/footprint.js';
import { ORDER_TASK_QUEUE } from '../workflows/order/contract.js';
import { CLI, resolveTemporalExecutable } from '../workers/runtime/temporal-binaries.js';
import { BASELINE_TASK_QUEUE } from './baseline/workflows.js';
import { type Checkout, otherCheckout, thisCheckout } from './checkouts.js';
import { historyCost } from './history.js';
import { CallTimes, type Driver, baselineDriver, clientDriver, createCustomers, httpDriver } from './orders.js';
import { type NodeProcess, type Usage, UsageMeter, childrenOf, machineBusySeconds, startNode } from './processes.js';
import { type StepResult, type WorkloadKey, type WorkloadResult, renderReport, saturation } from './report.js';
import { USAGE, parseOptions } from './options.js';
import { replayCost } from './replay.js';
import { runScale } from './scale.js';
import { closedLoop, percentile, turnOrder } from './stats.js';

let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (process.argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
const { command, quick, profile, only, sweep, secondsPerStep, rampSeconds, scaleOrders, waveOrders, budget, against } = options;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const runId = `b${Date.now().toString(36)}`;
const say = (line: string) => process.stderr.write(`${line}\n`);

Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.reverse()) await step().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
}

const workloads: WorkloadResult[] = [];
let scale: Awaited<ReturnType<typeof runScale>> | undefined;
/** Unset in the scale run, which sweeps nothing. */
let sweepSeconds: number | undefined;

interface DevServer {
  address: string;
  pid: number;
  client: Client;
  /** Requests the server has made of its persistence (SQLite) so far, from its metrics. */
  persistenceRequests(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A fresh dev server on its own SQLite file, one per workload: a server grows slower as its
 * file fills, so no workload pays for the ones before it.
 */
async function startDevServer(checkout: Checkout): Promise<DevServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'o2c-bench-'));
  const metricsPort = await freePort();
  const before = new Set(childrenOf(process.pid, 'start-dev'));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: resolveTemporalExecutable(CLI, { allowDownload: false }),
      dbFilename: path.join(dataDir, 'temporal.sqlite'),
      searchAttributes: checkout.searchAttributes,
      // Its warnings of slow calls at saturation are what a saturation test expects.
      log: { format: 'pretty', level: 'error' },
      // As npm start runs it (write-ahead logging, search attributes cached), the same for every workload.
      extraArgs: [...checkout.devServerArgs, '--metrics-port', String(metricsPort)],
    },
  });
  const pid = childrenOf(process.pid, 'start-dev').find((p) => !before.has(p));
  if (!pid) {
    await env.teardown();
    throw new Error('cannot find the dev server process');
  }
  const connection = await Connection.connect({ address: env.address });
  return {
    address: env.address,
    pid,
    client: new Client({ connection }),
    async persistenceRequests() {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return sumCounter(text, 'persistence_requests');
    },
    async stop() {
      await connection.close();
      await env.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

try {
  const checkouts: Checkout[] = [await thisCheckout(root)];
  if (against) {
    const other = await otherCheckout(root, against);
    cleanups.push(async () => other.remove());
    checkouts.push(other);
  }

  // ---- PostgreSQL: a fresh database, shared by the engine's workloads --------------------
  const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `o2c_bench_${runId}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  cleanups.push(async () => {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  });
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const database: DatabaseHandle = await openDatabase({ kind: 'postgres', url: databaseUrl, maxConnections: 2 });
  cleanups.push(() => database.close());
  await database.migrate();
  await createCustomers(database.db);

  // Workers load their workflow code built ahead of time, as production runs them.
  const bundles = mkdtempSync(path.join(tmpdir(), 'o2c-bench-bundles-'));
  cleanups.push(async () => rmSync(bundles, { recursive: true, force: true }));
  const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as never;
  const bundle = async (name: string, checkout: Checkout, workflowsPath: string) => {
    const file = path.join(bundles, `${name}${checkout.label && `-${checkout.label}`}.js`);
    writeFileSync(file, (await bundleWorkflowCode({ ...checkout.bundleOptions(workflowsPath), logger: quiet })).code);
    return file;
  };
  // The scale run has no workload of Temporal alone: no baseline to build.
  const built = await Promise.all(
    checkouts.map(async (checkout) => ({
      engine: await bundle('engine', checkout, checkout.workflowsPath),
      baseline: only.has('f') || only.has('a') ? await bundle('baseline', checkout, path.join(checkout.root, 'bench', 'baseline', 'workflows.ts')) : '',
    })),
  );
  const bundlesOf = (checkout: Checkout) => built[checkouts.indexOf(checkout)]!;
  const engineBundle = built[0]!.engine;

  const nodeArgs = (name: string): string[] =>
    profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(here, 'results', 'profiles', runId, name)}`] : [];
  const apiKey = `o2c_${randomBytes(32).toString('base64url')}`;
  const calls = new CallTimes();
  const names: Record<WorkloadKey, string> = { f: 'floor', a: 'naive', d: 'engine, client', c: 'engine, HTTP' };

  let n = 0;
  /** A workload set up and ready to run steps: its own dev server, worker and, for c, API. */
  interface Running {
    key: WorkloadKey;
    checkout: Checkout;
    /** The workflow bundle its worker runs, for the replay of its orders. */
    bundle: string;
    /** Histories of orders it completed, sampled across the sweep's windows. */
    histories: temporal.api.history.v1.IHistory[];
    server: DevServer;
    processes: NodeProcess[];
    pids: Record<string, number>;
    driver: Driver;
    result: WorkloadResult;
    lastId: string;
    /** Ids of the orders completed in the open window, while one is open. */
    windowIds?: string[];
    /** In the sweep's last step, aborts the calls in flight, Temporal's and HTTP's alike. */
    cutShort?: AbortController;
  }

  async function setUp(key: WorkloadKey, checkout: Checkout): Promise<Running> {
    const server = await startDevServer(checkout);
    const { engine: engineBundle, baseline: baselineBundle } = bundlesOf(checkout);
    // Profiles of a twin from another commit go beside this checkout's, not over them.
    const suffix = checkout.label && `-${checkout.label}`;
    const processes: NodeProcess[] = [];
    try {
      const polled = async (taskQueue: string) => {
        const { pollers } = await server.client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
          taskQueueType: 1, // workflow
        });
        return (pollers?.length ?? 0) > 0;
      };
      const common = { TEMPORAL_ADDRESS: server.address, LOG_LEVEL: 'warn' };
      const engine = { ...common, DATABASE_URL: databaseUrl, WORKFLOW_BUNDLE: engineBundle };
      const start = async (...args: Parameters<typeof startNode>) => {
        const p = await startNode(...args);
        processes.push(p);
        return p;
      };
      let driver: Driver;
      const pids: Record<string, number> = { server: server.pid, bench: process.pid };
      if (key === 'f' || key === 'a') {
        const worker = await start('baseline worker', path.join(checkout.root, 'bench', 'baseline', 'worker.ts'), { ...common, WORKFLOW_BUNDLE: baselineBundle }, () => polled(BASELINE_TASK_QUEUE), 90_000, nodeArgs(`baseline-${key}${suffix}`));
        pids.worker = worker.pid;
        driver = baselineDriver(server.client, key === 'f' ? 'floorOrderWorkflow' : 'naiveOrderWorkflow', `${runId}-${key}`, calls);
      } else {
        const worker = await start('worker', path.join(checkout.root, 'workers', 'main.ts'), engine, () => polled(ORDER_TASK_QUEUE), 90_000, nodeArgs(`worker-${key}${suffix}`));
        pids.worker = worker.pid;
        if (key === 'd') {
          driver = clientDriver(server.client, `${runId}-${key}`, calls);
        } else {
          const apiPort = await freePort();
          const apiUrl = `http://127.0.0.1:${apiPort}`;
          const api = await start(
            'api',
            path.join(checkout.root, 'api', 'server.ts'),
            { ...common, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(apiPort), API_BOOTSTRAP_KEY: `bench:service:${apiKey}`, ORDER_POLICIES: 'standard' },
            async () => (await fetch(`${apiUrl}/health`)).ok,
            60_000,
            nodeArgs(`api${suffix}`),
          );
          pids.api = api.pid;
          driver = httpDriver(apiUrl, apiKey, `${runId}-${key}`, calls);
        }
      }
      const bundle = key === 'f' || key === 'a' ? baselineBundle : engineBundle;
      const name = `${names[key]}${checkout.label && ` @ ${checkout.label}`}`;
      const result: WorkloadResult = { key, name, steps: [], ...(checkout.label ? { against: checkout.label } : {}) };
      return { key, checkout, bundle, histories: [], server, processes, pids, driver, result, lastId: '' };
    } catch (err) {
      for (const p of processes.reverse()) await p.stop();
      await server.stop();
      throw err;
    }
  }

  async function tearDown(w: Running): Promise<void> {
    if (process.env.BENCH_SHOW_OUTPUT) for (const p of w.processes) say(`---- ${p.name} output\n${p.output()}`);
    for (const p of w.processes.reverse()) await p.stop();
    await w.server.stop();
  }

  /** One order of workload `w`, from creation to closed. */
  async function once(w: Running): Promise<void> {
    const signal = w.cutShort?.signal;
    w.lastId = signal
      ? await w.server.client.connection.withAbortSignal(signal, () => w.driver.run(++n, signal))
      : await w.driver.run(++n);
    w.windowIds?.push(w.lastId);
  }

  /**
   * Waits until the machine is quiet (under a fifth of a core busy over half a second, or
   * 15 s at most): what the step before left running, on its server or in PostgreSQL,
   * is not counted against the next workload.
   */
  async function settle(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const before = machineBusySeconds();
      await new Promise((resolve) => setTimeout(resolve, 500));
      if ((machineBusySeconds() - before) / 0.5 < 0.2) return;
    }
  }

  /** One step of the sweep for `w`; true once more callers brought no more orders. */
  async function step(w: Running, concurrency: number, last: boolean): Promise<boolean> {
    await settle();
    // The sweep's last step cuts short the orders still going when its window closes: its
    // server goes next, and at 128 callers they would take as long again as the window.
    // Orders left half done would skew the rows per order, which do not depend on the callers.
    // The client adds a listener to the signal for every call and never removes it: one
    // controller per step, and only for that step.
    if (last) {
      w.cutShort = new AbortController();
      setMaxListeners(Number.MAX_SAFE_INTEGER, w.cutShort.signal);
    }
    const { key, result } = w;
    const before = !last && (key === 'd' || key === 'c') ? await totalFootprint(database) : undefined;
    let meter: UsageMeter | undefined;
    let usage: Record<string, Usage> = {};
    let windowCalls = new Map<string, number[]>();
    let completedIds: string[] = [];
    let persistence: Array<Promise<number>> = [];
    const loop = await closedLoop(concurrency, secondsPerStep, () => once(w), {
      rampSeconds,
      onWindowStart: () => {
        calls.clear();
        w.windowIds = [];
        meter = new UsageMeter(w.pids);
        persistence = [w.server.persistenceRequests()];
      },
      onWindowEnd: () => {
        w.cutShort?.abort();
        usage = meter?.stop() ?? {};
        persistence.push(w.server.persistenceRequests());
        completedIds = w.windowIds ?? [];
        w.windowIds = undefined;
        // Calls ending after the window, as the loop drains at falling concurrency, are left out.
        windowCalls = new Map([...calls.byName].map(([name, times]) => [name, [...times]]));
      },
    });
    const after = before ? await totalFootprint(database) : undefined;
    const [requestsBefore, requestsAfter] = await Promise.all(persistence);
    result.steps.push({
      ...loop,
      usage,
      calls: Object.fromEntries(
        [...windowCalls].map(([name, times]) => [name, { count: times.length, p50: percentile(times, 50), p99: percentile(times, 99) }]),
      ),
      histories: await sampleHistories(w, completedIds, quick ? 3 : 10),
      ...(requestsAfter !== undefined && loop.completed > 0
        ? { persistenceRequestsPerOrder: (requestsAfter - requestsBefore!) / loop.completed }
        : {}),
      ...(before && after && loop.started > 0
        ? { database: { rowsPerOrder: (after.rows - before.rows) / loop.started, bytesPerOrder: (after.bytes - before.bytes) / loop.started } }
        : {}),
    });
    say(`${key} ${result.name}  c=${concurrency}  ${loop.perSecond.toFixed(1)} orders/s  p50 ${loop.latencyMs.p50.toFixed(0)} ms${loop.failed ? `  ${loop.failed} failed: ${loop.firstError}` : ''}`);
    // Saturated: more callers bring no more than 5% more orders.
    const best = saturation({ ...result, steps: result.steps.slice(0, -1) });
    return Boolean(best && loop.perSecond < best.perSecond * 1.05);
  }

  // Every workload is set up first and the sweep takes them in turn at each number of
  // callers: this machine's speed drifts by a quarter over minutes, and workloads measured
  // minutes apart gave ratios that the drift decided. Idle, a set-up workload only polls.
  const sweepStartedAt = Date.now();
  const keys = (['f', 'a', 'd', 'c'] as const).filter((k) => only.has(k));
  const running: Running[] = [];
  cleanups.push(async () => {
    for (const w of running.splice(0)) await tearDown(w);
  });
  for (const key of keys) {
    for (const checkout of checkouts) {
      const w = await setUp(key, checkout);
      running.push(w);
      await closedLoop(8, quick ? 0.5 : 2, () => once(w)); // warm-up: bundles loaded, connections open, JIT done
    }
  }
  const finish = async (w: Running) => {
    if (w.lastId) w.result.history = historyCost(await w.server.client.workflow.getHandle(w.lastId).fetchHistory());
    running.splice(running.indexOf(w), 1);
    finished.push(w);
    await tearDown(w);
  };
  const finished: Running[] = [];
  const results = new Map<string, WorkloadResult>();
  for (const [i, concurrency] of sweep.entries()) {
    const last = i === sweep.length - 1;
    for (const w of turnOrder(running, i)) {
      const saturated = await step(w, concurrency, last);
      // The engine over HTTP goes on to the last step, saturated or not: there it must refuse
      // what it cannot serve (429 at once) and keep the calls it admits fast.
      if ((saturated && w.key !== 'c') || last) {
        results.set(`${w.key}${w.checkout.label}`, w.result);
        await finish(w);
      }
    }
  }
  workloads.push(...keys.flatMap((k) => checkouts.flatMap((checkout) => results.get(`${k}${checkout.label}`) ?? [])));
  if (keys.length > 0) sweepSeconds = (Date.now() - sweepStartedAt) / 1000;

  // ---- the worker's share: orders replayed through each workload's bundle --------------
  // After the sweep, on a quiet machine. A workload and its twin from another commit replay
  // the same orders (both runs' samples) when both bundles can, so that they differ by their
  // code alone; else each its own. Three turns, each in another order (a replay's CPU depends on
  // which ran before it), and the median counts (one turn in the quick run, which has a minute).
  const replays = new Map<Running, number[]>();
  const replayed = new Map<Running, temporal.api.history.v1.IHistory[]>();
  for (let turn = 0; turn < (quick ? 1 : 3); turn += 1) {
    for (const w of turnOrder(finished, turn)) {
      if (w.histories.length === 0) continue;
      const shared = finished.filter((x) => x.key === w.key).flatMap((x) => x.histories);
      await settle();
      let histories = replayed.get(w) ?? shared;
      let cost = await replayCost(w.bundle, histories, quick ? 3 : 5).catch(() => undefined);
      if (!cost) {
        // The other commit's orders do not replay on this bundle: its workflow code differs.
        histories = w.histories;
        cost = await replayCost(w.bundle, histories, quick ? 3 : 5);
      }
      replayed.set(w, histories);
      replays.set(w, [...(replays.get(w) ?? []), cost.cpuMsPerOrder]);
      w.result.replay = { histories: histories.length, cpuMsPerOrder: percentile(replays.get(w)!, 50) };
    }
  }
  for (const [w, histories] of replayed) say(`replayed ${histories.length} orders through the bundle of ${w.key} ${w.result.name}`);

  // ---- scale: many open orders, then the dunning wave -----------------------------------
  if (scaleOrders > 0) {
    const server = await startDevServer(checkouts[0]!);
    try {
      scale = await runScale({
        orders: scaleOrders,
        waveOrders,
        client: server.client,
        address: server.address,
        serverPid: server.pid,
        database,
        databaseUrl,
        workflowBundle: engineBundle,
        runId: `${runId}-s`,
        say,
        nodeArgs,
      });
    } finally {
      await server.stop();
    }
  }
} finally {
  await cleanUp();
}

/** The sum of a Prometheus counter over all its labels, from a metrics page. */
function sumCounter(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * Events and workflow tasks per order, averaged over up to `most` orders completed in a step's
 * window, spread across it: one sample order cannot show the extra tasks an order takes when
 * updates arrive while its workflow task is running.
 */
async function sampleHistories(w: { server: DevServer; histories: temporal.api.history.v1.IHistory[] }, ids: string[], most = 10): Promise<StepResult['histories']> {
  const picked = ids.length <= most ? ids : Array.from({ length: most }, (_, i) => ids[Math.floor((i * ids.length) / most)]!);
  if (picked.length === 0) return { sampled: 0, events: 0, workflowTasks: 0 };
  const histories = await Promise.all(picked.map((id) => w.server.client.workflow.getHandle(id).fetchHistory()));
  w.histories.push(...histories);
  const costs = histories.map((history) => historyCost(history));
  const mean = (f: (c: (typeof costs)[number]) => number) => costs.reduce((sum, c) => sum + f(c), 0) / costs.length;
  return { sampled: costs.length, events: mean((c) => c.events), workflowTasks: mean((c) => c.workflowTasks) };
}

// From the process's start: loading the SDK and the bench's own code counts against the budget.
const runSeconds = process.uptime();
const run = { seconds: runSeconds, cores: cpus().length, ...(sweepSeconds === undefined ? {} : { sweepSeconds }), ...(budget ? { budget } : {}) };
const loop = workloads.length > 0 ? `closed loop, ${secondsPerStep} s per step, ` : '';
const header = `bench ${command === 'default' ? '' : `(${command}) `}on ${cpus().length} cores, ${loop}${runSeconds.toFixed(0)} s in all`;
const report = renderReport(workloads, scale, header, run);
console.log(`\n${report}`);
const outDir = path.join(here, 'results');
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `bench-${command === 'scale' ? 'scale-' : ''}${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, `${JSON.stringify({ command, quick, secondsPerStep, cores: cpus().length, run, workloads, scale }, null, 2)}\n`);
console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
