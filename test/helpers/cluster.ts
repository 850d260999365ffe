// A PostgreSQL cluster of the test's own, for tests that stop the database: the run's shared
// server (port 5432) is never stopped. Debian's pg_createcluster makes it on a free port with
// trust authentication; `drop()` stops and removes it. Its name starts with the run's prefix,
// so the run's global teardown drops whatever a failed or crashed test left behind.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { freePort } from './processes.js';

const run = promisify(execFile);

/** The newest PostgreSQL server installed the Debian way (/usr/lib/postgresql/<version>). */
function installedVersion(): string {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
  } catch {
    // none installed: said below
  }
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) {
    throw new Error(
      "this test makes a PostgreSQL cluster of its own with Debian's pg_createcluster (packages postgresql and postgresql-common), run as root; none is installed",
    );
  }
  return newest;
}

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

/** Every cluster of this machine: version and name, from pg_lsclusters. */
function clusters(): Array<{ version: string; name: string }> {
  const listed = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  return (listed.stdout ?? '')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 2 && fields[0])
    .map(([version, name]) => ({ version: version!, name: name! }));
}

/** Stops and removes every cluster whose name starts with `prefix` (a run's global teardown). */
export function dropClustersStartingWith(prefix: string): string[] {
  const left = clusters().filter((c) => c.name.startsWith(prefix));
  for (const c of left) spawnSync('pg_dropcluster', [c.version, c.name, '--stop'], { stdio: 'ignore' });
  return left.map((c) => c.name);
}

const dropped = new Set<string>();

async function ctl(version: string, name: string, action: 'start' | 'stop'): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action]);
}

/** Creates and starts a cluster named `o2c_<prefix>_<pid>_<random>` on a free port. */
/** Creates and starts a cluster named `<run prefix>_<prefix>_<random>` on a free port. */
export async function createThrowawayCluster(prefix: string): Promise<ThrowawayCluster> {
  const version = installedVersion();
  const name = `${inject('clusterPrefix')}_${prefix}_${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const cluster: ThrowawayCluster = {
    name,
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => ctl(version, name, 'start'),
    stop: () => ctl(version, name, 'stop'),
    drop: async () => {
      if (dropped.has(name)) return;
      dropped.add(name);
      await run('pg_dropcluster', [version, name, '--stop']);
    },
  };
  try {
    await run('pg_createcluster', [version, name, '-p', String(port), '--', '--auth=trust']);
    await cluster.start();
  } catch (err) {
    await cluster.drop().catch(() => {});
    throw err;
  }
  return cluster;
}
