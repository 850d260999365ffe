// Once per test run: the pinned Temporal binaries are installed, and a PostgreSQL database
// of this run's own is created, migrated, handed to the tests and dropped at the end.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../db/client.js';
import { installTemporalBinaries } from '../workers/runtime/temporal-binaries.js';
import { dropClustersStartingWith } from './helpers/cluster.js';
import { installSystemPackages } from './system-packages.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    /** With RECORD_HISTORIES=1: the new folder under the order histories that this run records into. */
    historiesVersion: string | null;
    /** How the names of this run's own PostgreSQL clusters start (test/helpers/cluster.ts). */
    clusterPrefix: string;
  }
}

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrlFor(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export const HISTORIES_DIR = new URL('./workflows/order/histories/', import.meta.url);

/** Recorded histories are never overwritten: a new recording goes into a new version folder. */
function nextHistoriesVersion(): string {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const versions = readdirSync(HISTORIES_DIR).map((name) => /^v(\d+)$/.exec(name)?.[1]).filter(Boolean).map(Number);
  const next = `v${Math.max(0, ...versions) + 1}`;
  mkdirSync(new URL(`${next}/`, HISTORIES_DIR));
  // Asked for with RECORD_HISTORIES=1: where the new files are is the answer.
  console.log(`recording order histories into ${next}`);
  return next;
}

export default async function setup(project: TestProject) {
  // Silent when everything is there; a line (on stderr) only when this run changes the machine
  // (installing) or cannot (a package to install by hand).
  installTemporalBinaries({ log: (line) => console.warn(line) });
  installSystemPackages((line) => console.warn(line));

  const name = `o2c_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = databaseUrlFor(name);
  const handle = await openDatabase({ kind: 'postgres', url, maxConnections: 1 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  project.provide('databaseUrl', url);
  project.provide('adminDatabaseUrl', ADMIN_URL);
  project.provide('historiesVersion', process.env.RECORD_HISTORIES === '1' ? nextHistoriesVersion() : null);
  const clusterPrefix = `o2c_${randomBytes(3).toString('hex')}`;
  project.provide('clusterPrefix', clusterPrefix);

  return async () => {
    // A test that failed before dropping its cluster, or whose worker died, left it running.
    for (const name of dropClustersStartingWith(`${clusterPrefix}_`)) console.log(`dropped cluster ${name}, left by a test`);
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
}
