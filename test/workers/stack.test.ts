// `npm start` driven the way a person runs it: a process group of its own, Ctrl-C
// (SIGINT to the whole group) or a supervisor's SIGTERM, and nothing left behind.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/order/contract.js';
import { createScratchDatabase, uniqueId } from '../helpers/database.js';
import { commandLine, descendants, freePort, isAlive, spawnGroup, waitFor } from '../helpers/processes.js';
import { type RunningStack, startStack } from '../helpers/stack.js';
import { startDevServer } from '../helpers/temporal.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Stops the stack and proves no process of it is left. */
async function stopStack(stack: RunningStack, how: 'ctrl-c' | 'sigterm'): Promise<void> {
  const pid = stack.child.pid!;
  const tree = descendants(pid);
  expect(tree).toContain(stack.ready.pid);
  const sent = how === 'ctrl-c' ? 'SIGINT' : 'SIGTERM';
  // Ctrl-C reaches every process of the terminal's group; a supervisor signals npm alone.
  process.kill(how === 'ctrl-c' ? -pid : pid, sent);
  const { code, signal } = await Promise.race([
    stack.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running:\n${stack.output()}`)), 30_000)),
  ]);
  // npm re-raises the signal it was stopped by once its script has ended.
  expect(code === 0 || signal === sent, `exit ${code} ${signal}\n${stack.output()}`).toBe(true);
  expect(stack.output()).toContain('stopped cleanly');
  expect(stack.output()).not.toContain('while stopping');
  await waitFor('every process of the stack to end', () => (tree.some(isAlive) ? undefined : true), 10_000, () =>
    tree.filter(isAlive).map(commandLine).join('\n'),
  );
  await expect(fetch(`${stack.ready.api}/health`)).rejects.toThrow();
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('npm start with nothing configured', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'o2c-stack-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs Temporal with its UI, the worker and the API, keeps workflows across a restart, and stops cleanly', async () => {
    const ports = { PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort() };
    const env = { DATA_DIR: dataDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };

    const first = await startStack(env);
    let connection: Connection | undefined;
    const workflowId = uniqueId('probe');
    try {
      expect(first.ready).toMatchObject({
        api: `http://127.0.0.1:${ports.PORT}`,
        temporal: `127.0.0.1:${ports.TEMPORAL_PORT}`,
        temporalUi: `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`,
      });
      expect(first.output()).toContain(`${first.ready.api}/docs`);
      expect(await getJson(`${first.ready.api}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await getJson(`${first.ready.api}/ready`)).toEqual({
        status: 200,
        body: { status: 'ready', checks: { temporal: { ok: true }, database: { ok: true } } },
      });
      expect((await fetch(first.ready.temporalUi!)).status).toBe(200);
      expect(descendants(first.ready.pid).map(commandLine).join('\n')).toContain('temporal server start-dev');
      // Its SQLite file runs in write-ahead-log mode.
      expect(existsSync(path.join(dataDir, 'temporal.sqlite-wal'))).toBe(true);

      connection = await Connection.connect({ address: first.ready.temporal });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      for (const key of ORDER_SEARCH_ATTRIBUTE_KEYS) expect(Object.keys(customAttributes ?? {})).toContain(key.name);
      // No worker polls this queue, so the workflow stays open across the restart.
      await new WorkflowClient({ connection }).start('persistenceProbeWorkflow', { taskQueue: 'stack-test-probe', workflowId });
    } finally {
      await connection?.close();
      await stopStack(first, 'ctrl-c');
    }

    // Every log line the stack writes, the API's request logs included, while the demo drives it.
    const second = await startStack({ ...env, LOG_LEVEL: 'debug' });
    const keysFile = path.join(dataDir, 'api-keys.json');
    const devKeys = JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, { secret: string }>;
    const secrets = Object.values(devKeys).map((k) => k.secret);
    let demoOutput = '';
    try {
      connection = await Connection.connect({ address: second.ready.temporal });
      const described = await new WorkflowClient({ connection }).getHandle(workflowId).describe();
      expect(described.status.name).toBe('RUNNING');
      expect((await getJson(`${second.ready.api}/ready`)).status).toBe(200);

      // The dev keys were issued once, on the first start, into a file only the user reads,
      // and printed then only; a later start names the file.
      expect(first.output()).toContain(`${keysFile} (new: one per role; printed this once, the file keeps them)`);
      expect(secrets).toHaveLength(3);
      for (const secret of secrets) expect(first.output()).toContain(secret);
      expect(second.output()).not.toContain('(new: one per role');
      expect(second.output()).toContain(`API keys       ${keysFile}\n`);
      expect(second.ready.apiKeys).toBe(keysFile);
      expect(statSync(keysFile).mode & 0o777).toBe(0o600);
      const operatorKey = devKeys.operator!.secret;

      // `npm run demo` against the running stack leaves an order in each state it names.
      const demo = spawnGroup('npm', ['run', 'demo'], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, O2C_API_URL: second.ready.api, O2C_TEMPORAL_UI_URL: second.ready.temporalUi! },
      });
      const { code } = await demo.exited;
      demoOutput = demo.output();
      expect(code, demoOutput).toBe(0);
      const read = async (url: string) =>
        (await (await fetch(`${second.ready.api}${url}`, { headers: { authorization: `Bearer ${operatorKey}` } })).json()) as {
          items: Array<{ status: string; dunningLevel: number }>;
        };
      const statuses = new Set((await read('/orders?limit=100')).items.map((o) => o.status));
      for (const status of ['credit_hold', 'credit_rejected', 'awaiting_shipment', 'cancelled', 'awaiting_payment', 'disputed', 'closed']) {
        expect(statuses, `no ${status} order after the demo:\n${demo.output()}`).toContain(status);
      }
      expect((await read('/orders?dunningLevel=1')).items.length).toBeGreaterThan(0);
      expect(demo.output()).toContain(`${second.ready.temporalUi}/namespaces/default/workflows`);
    } finally {
      await connection?.close();
      await stopStack(second, 'sigterm');
    }
    // Nothing the second start wrote, from its banner to its shutdown, holds a key; nor the demo.
    expect(second.output()).toContain('"msg":"request completed"');
    for (const secret of secrets) {
      expect(second.output()).not.toContain(secret);
      expect(demoOutput).not.toContain(secret);
    }
    expect(demoOutput).toContain(`export O2C_SERVICE_KEY=$(node -p 'require("${keysFile}").service.secret')`);
    // Two starts of the whole stack and the demo: 40 s on two busy cores, more when other tests
    // share them. A limit to catch a hang, not a speed target.
  }, 240_000);
});

describe('npm start with a port taken', () => {
  let holder: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
    holder = undefined;
  });

  it.each([
    ['PORT', 'the API'],
    ['TEMPORAL_PORT', 'Temporal gRPC'],
    ['TEMPORAL_UI_PORT', 'Temporal UI'],
  ])('stops before starting anything, in one line naming the port, what it is for and %s', async (variable, what) => {
    // Something really listens on the port the variable names; the other two are free.
    const server = createServer();
    holder = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const taken = (server.address() as { port: number }).port;
    const ports: Record<string, number> = { PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort() };
    ports[variable] = taken;
    const dataDir = path.join(tmpdir(), uniqueId('port-taken'));
    const { DATABASE_URL: _db, TEMPORAL_ADDRESS: _t, ...inherited } = process.env;
    const run = spawnGroup('npm', ['start'], {
      cwd: root,
      env: { ...inherited, DATA_DIR: dataDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) },
    });
    const { code } = await run.exited;

    expect(code, run.output()).toBe(1);
    const line = `port ${taken} (${what}, on 127.0.0.1) is already in use: stop what holds it, or set ${variable} to another port`;
    // npm's echo of the script aside, that line is all there is: no stack trace, no start-up.
    const said = run.output().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('> '));
    expect(said).toEqual([line]);
    // Nothing was started: not even the data directory the database and Temporal keep state in.
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('npm start against an existing Temporal and PostgreSQL', () => {
  let temporal: TestWorkflowEnvironment;
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    [temporal, database] = await Promise.all([startDevServer(), createScratchDatabase()]);
  });
  afterAll(async () => {
    await temporal?.teardown();
    await database?.drop();
  });

  it('starts no Temporal server and migrates the given database', async () => {
    const stack = await startStack({
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: database.url,
      PORT: String(await freePort()),
      DATA_DIR: path.join(tmpdir(), uniqueId('unused-data')),
    });
    try {
      expect(stack.ready).toMatchObject({ temporal: temporal.address, temporalUi: null });
      expect(descendants(stack.ready.pid).map(commandLine).join('\n')).not.toContain('temporal');
      expect((await getJson(`${stack.ready.api}/ready`)).body.status).toBe('ready');
      expect(stack.output()).toContain(`Database       ${database.url}`);
    } finally {
      await stopStack(stack, 'ctrl-c');
    }
  });
});
