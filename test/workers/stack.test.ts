// `npm start` driven the way a person runs it: a process group of its own, Ctrl-C
// (SIGINT to the whole group) or a supervisor's SIGTERM, and nothing left behind.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

    const second = await startStack(env);
    try {
      connection = await Connection.connect({ address: second.ready.temporal });
      const described = await new WorkflowClient({ connection }).getHandle(workflowId).describe();
      expect(described.status.name).toBe('RUNNING');
      expect((await getJson(`${second.ready.api}/ready`)).status).toBe(200);

      // The dev keys were issued once, on the first start, into a file only the user reads.
      const keysFile = path.join(dataDir, 'api-keys.json');
      expect(first.output()).toContain(`${keysFile} (new: one per role)`);
      expect(second.output()).not.toContain('(new: one per role)');
      expect(second.ready.apiKeys).toBe(keysFile);
      expect(statSync(keysFile).mode & 0o777).toBe(0o600);
      const operatorKey = (JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, { secret: string }>).operator!.secret;

      // `npm run demo` against the running stack leaves an order in each state it names.
      const demo = spawnGroup('npm', ['run', 'demo'], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, O2C_API_URL: second.ready.api, O2C_TEMPORAL_UI_URL: second.ready.temporalUi! },
      });
      const { code } = await demo.exited;
      expect(code, demo.output()).toBe(0);
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
