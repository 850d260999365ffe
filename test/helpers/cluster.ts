// A PostgreSQL cluster of the test's own, for tests that stop the database: the run's shared
// server (port 5432) is never stopped. Debian's pg_createcluster makes it on a free port with
// trust authentication; `drop()` stops and removes it, and so does the process's exit if the
// test never got there.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { freePort } from './processes.js';

const run = promisify(execFile);
const VERSION = '15';

export interface ThrowawayCluster {
  name: string;
  port: number;
  /** A URL of `database` on the cluster, as user postgres. */
  url(database?: string): string;
  start(): Promise<void>;
  /** A fast shutdown, as `pg_ctlcluster stop` does it: open sessions end with 57P01. */
  stop(): Promise<void>;
  /** Stops and removes the cluster; safe to call more than once. */
  drop(): Promise<void>;
}

const live = new Set<string>();
let exitHookInstalled = false;

function dropOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const name of live) spawnSync('pg_dropcluster', [VERSION, name, '--stop'], { stdio: 'ignore' });
  });
}

async function ctl(name: string, action: 'start' | 'stop'): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', VERSION, name, action]);
}

/** Creates and starts a cluster named `o2c_<prefix>_<pid>_<random>` on a free port. */
export async function createThrowawayCluster(prefix: string): Promise<ThrowawayCluster> {
  const name = `o2c_${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  dropOnExit();
  live.add(name);
  const cluster: ThrowawayCluster = {
    name,
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => ctl(name, 'start'),
    stop: () => ctl(name, 'stop'),
    drop: async () => {
      if (!live.delete(name)) return;
      await run('pg_dropcluster', [VERSION, name, '--stop']);
    },
  };
  try {
    await run('pg_createcluster', [VERSION, name, '-p', String(port), '--', '--auth=trust']);
    await cluster.start();
  } catch (err) {
    await cluster.drop().catch(() => {});
    throw err;
  }
  return cluster;
}
