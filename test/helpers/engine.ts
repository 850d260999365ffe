// The engine as production runs it, for tests that break one part of it: the Temporal dev
// server, the worker (`npm run worker`) and the API (`npm run api`) each in a process of its
// own, so that a test can kill any one of them (SIGKILL, as a crash or the OOM killer would)
// and start it again on the same port, database file and database, while the others run on.
//
//   const engine = await startEngine({ databaseUrl, workflowBundle: inject('workflowBundle') });
//   await engine.worker.kill();     // SIGKILL; resolves once the process is gone
//   await engine.worker.start();    // a new worker; resolves once it polls the order queue
//   await engine.stop();
//
// Every process this module starts is SIGKILLed when the test process exits, whatever happened.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { ORDER_SEARCH_ATTRIBUTE_KEYS, ORDER_TASK_QUEUE } from '../../workflows/order/contract.js';
import { CLI, resolveTemporalExecutable } from '../../workers/runtime/temporal-binaries.js';
import { DEV_SERVER_ARGS } from '../../workers/runtime/temporal-servers.js';
import { freePort } from './processes.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Every child this module started and has not seen exit: killed if the test process ends first. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

const OUTPUT_KEPT = 100_000;

/** One part of the engine, run as a process that can be killed and started again. */
export interface Service {
  readonly name: string;
  /** The process now running, if any. */
  readonly pid: number | undefined;
  running(): boolean;
  /** Starts a new process and resolves once it is ready (throws, with its output, if it exits first). */
  start(): Promise<void>;
  /** Sends `signal` (SIGKILL unless told) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM (a clean shutdown), SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** What every run of it printed, the last 100,000 characters. */
  output(): string;
}

interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Whether the process with this pid is ready; asked every 200 ms. */
  ready(pid: number): Promise<boolean>;
  readyTimeoutMs: number;
}

function service(spec: ServiceSpec): Service {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const self: Service = {
    name: spec.name,
    get pid() {
      return isRunning() ? child!.pid : undefined;
    },
    running: isRunning,
    async start() {
      if (isRunning()) throw new Error(`${spec.name} is already running (pid ${child!.pid})`);
      const started = spawn(spec.command, spec.args, { cwd: root, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      live.add(started);
      out += `\n---- ${spec.name} started (pid ${started.pid})\n`;
      started.stdout!.on('data', keep);
      started.stderr!.on('data', keep);
      exited = new Promise((resolve) =>
        started.once('exit', (code, signal) => {
          live.delete(started);
          out += `\n---- ${spec.name} (pid ${started.pid}) exited: ${signal ?? `code ${code}`}\n`;
          resolve();
        }),
      );
      const deadline = Date.now() + spec.readyTimeoutMs;
      for (;;) {
        if (started.exitCode !== null || started.signalCode !== null) {
          throw new Error(`${spec.name} exited before it was ready:\n${out.slice(-5_000)}`);
        }
        if (await spec.ready(started.pid!).catch(() => false)) return;
        if (Date.now() > deadline) {
          started.kill('SIGKILL');
          await exited;
          throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs} ms:\n${out.slice(-5_000)}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async kill(signal = 'SIGKILL') {
      if (!isRunning()) return;
      child!.kill(signal);
      await exited;
    },
    async stop(graceMs = 15_000) {
      if (!isRunning()) return;
      const stopping = child!;
      stopping.kill('SIGTERM');
      const timer = setTimeout(() => stopping.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    output: () => out,
  };
  return self;
}

/** How a test reaches the dev server: a client that reconnects by itself once it is back. */
function temporalClient(address: string): Client {
  return new Client({ connection: Connection.lazy({ address }), namespace: 'default' });
}

/** The dev server answers on `address` (a call with a deadline of its own, so a probe never hangs). */
async function temporalAnswers(client: Client): Promise<boolean> {
  await client.connection.withDeadline(Date.now() + 2_000, () =>
    client.connection.workflowService.describeNamespace({ namespace: 'default' }),
  );
  return true;
}

/** A worker whose identity is `<pid>@...` polls the order task queue's workflow tasks. */
async function polledBy(client: Client, pid: number): Promise<boolean> {
  const { pollers } = await client.connection.withDeadline(Date.now() + 2_000, () =>
    client.connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: ORDER_TASK_QUEUE },
      taskQueueType: 1, // workflow tasks
    }),
  );
  return (pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
}

export interface EngineOptions {
  /** The engine's database (migrated): the worker's and the API's DATABASE_URL. */
  databaseUrl: string;
  /** A workflow bundle file (`npm run build:workflows`), so a worker starts in moments. */
  workflowBundle: string;
  /** Extra `temporal server start-dev` arguments (dynamic config). */
  temporalArgs?: string[];
}

export interface Engine {
  /** The dev server, on a port and a SQLite file that stay the same across restarts. */
  temporal: Service & { address: string; dbFile: string };
  /** `npm run worker`: ready once it polls the order task queue. */
  worker: Service;
  /** `npm run api`: ready once /health answers. */
  api: Service & { url: string };
  /** The test's own Temporal client (it reconnects after a restart of the server). */
  client: Client;
  /** Stops everything (API, worker, server) and removes the server's files. */
  stop(): Promise<void>;
  /** Every process's output, for a failure message. */
  output(): string;
}

/** Starts the dev server, then the worker and the API side by side; each in a process of its own. */
export async function startEngine(options: EngineOptions): Promise<Engine> {
  const [temporalPort, apiPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${temporalPort}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'o2c-engine-'));
  const dbFile = path.join(dir, 'temporal.sqlite');
  const client = temporalClient(address);
  const cli = resolveTemporalExecutable(CLI, { allowDownload: false });
  if (cli.type !== 'existing-path') throw new Error('no local Temporal CLI: run `npm run temporal:install`');

  const temporal = Object.assign(
    service({
      name: 'temporal',
      command: cli.path,
      args: [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(temporalPort),
        '--headless',
        '--db-filename',
        dbFile,
        '--log-level',
        'error',
        '--output',
        'none',
        ...ORDER_SEARCH_ATTRIBUTE_KEYS.flatMap((key) => ['--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`]),
        ...DEV_SERVER_ARGS,
        ...(options.temporalArgs ?? []),
      ],
      env: process.env,
      ready: () => temporalAnswers(client),
      readyTimeoutMs: 60_000,
    }),
    { address, dbFile },
  );

  // The processes get the test's environment but for what configures them.
  const { DATABASE_URL: _d, TEMPORAL_ADDRESS: _t, PORT: _p, HOST: _h, API_BOOTSTRAP_KEY: _k, ...inherited } = process.env;
  const common = { ...inherited, DATABASE_URL: options.databaseUrl, TEMPORAL_ADDRESS: address, LOG_LEVEL: 'warn' };
  const node = (script: string) => [process.execPath, ['--import', 'tsx', path.join(root, script)]] as const;

  const [workerCommand, workerArgs] = node('workers/main.ts');
  const worker = service({
    name: 'worker',
    command: workerCommand,
    args: [...workerArgs],
    env: { ...common, WORKFLOW_BUNDLE: options.workflowBundle },
    ready: (pid) => polledBy(client, pid),
    readyTimeoutMs: 120_000,
  });

  const url = `http://127.0.0.1:${apiPort}`;
  const [apiCommand, apiArgs] = node('api/server.ts');
  const api = Object.assign(
    service({
      name: 'api',
      command: apiCommand,
      args: [...apiArgs],
      env: { ...common, HOST: '127.0.0.1', PORT: String(apiPort) },
      ready: async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok,
      readyTimeoutMs: 120_000,
    }),
    { url },
  );

  const engine: Engine = {
    temporal,
    worker,
    api,
    client,
    async stop() {
      await api.stop();
      await worker.stop();
      await temporal.stop();
      await client.connection.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => [temporal, worker, api].map((s) => `==== ${s.name}\n${s.output().slice(-20_000)}`).join('\n'),
  };
  try {
    await temporal.start();
    await Promise.all([worker.start(), api.start()]);
  } catch (err) {
    await engine.stop().catch(() => {});
    throw err;
  }
  return engine;
}
