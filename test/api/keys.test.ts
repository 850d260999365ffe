// API keys: the bootstrap key from the environment, the dev keys `npm start` issues, and
// the `npm run keys` CLI run for real against a scratch database, with the API answering
// (or refusing) the keys it makes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { digestApiKey, issueApiKey, registerBootstrapKey } from '../../api/auth.js';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { countLiveApiKeys, findLiveApiKey, listApiKeys, revokeApiKey } from '../../db/queries/access.js';
import { ensureDevKeys } from '../../workers/runtime/dev-keys.js';
import { createScratchDatabase, openTestDatabase, uniqueId } from '../helpers/database.js';
import { freePort } from '../helpers/processes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const cleanups: Array<() => Promise<void>> = [];
let shared: DatabaseHandle;
let tmp: string;
/** Temporal is never reached in this file: only key checks and database reads run. */
let connection: Connection;
let temporal: Client;

beforeAll(async () => {
  shared = await openTestDatabase();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'o2c-keys-'));
  connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1000 });
  temporal = new Client({ connection });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await connection?.close();
  await shared?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** An empty, migrated database of the test's own, dropped after the file. */
async function scratchDatabase(): Promise<{ url: string; handle: DatabaseHandle }> {
  const scratch = await createScratchDatabase();
  const handle = await openDatabase({ kind: 'postgres', url: scratch.url, maxConnections: 2 });
  cleanups.push(async () => {
    await handle.close();
    await scratch.drop();
  });
  await handle.migrate();
  return { url: scratch.url, handle };
}

/** The API over `database`, with keys read again on every request unless told otherwise. */
async function apiOver(database: DatabaseHandle, apiKeyCacheMs = 0): Promise<FastifyInstance> {
  const app = await buildApp({ temporal, namespace: 'default', database, apiKeyCacheMs });
  cleanups.push(() => app.close());
  return app;
}

/** A read any role may make; an unknown customer answers 404 once the key is accepted. */
function readWith(app: FastifyInstance, secret: string) {
  return app.inject({ method: 'GET', url: `/customers/${uniqueId('nobody')}`, headers: { authorization: `Bearer ${secret}` } });
}

const strongSecret = () => randomBytes(32).toString('base64url');

describe('registerBootstrapKey', () => {
  it('registers the key once under an ID from its digest, and the API accepts it', async () => {
    const name = uniqueId('bootstrap');
    const secret = strongSecret();
    expect(await registerBootstrapKey(shared.db, `${name}:operator:${secret}`)).toEqual({ created: true, name, role: 'operator' });
    const digest = digestApiKey(secret);
    expect(await findLiveApiKey(shared.db, digest)).toEqual({ id: `key_${digest.slice(0, 12)}`, name, role: 'operator' });

    const app = await apiOver(shared);
    expect((await readWith(app, secret)).statusCode).toBe(404);
  });

  it('changes nothing when registered again, however often', async () => {
    const name = uniqueId('bootstrap');
    const spec = `${name}:finance:${strongSecret()}`;
    await registerBootstrapKey(shared.db, spec);
    const before = (await listApiKeys(shared.db)).filter((k) => k.name === name);
    expect(before).toHaveLength(1);
    expect(await registerBootstrapKey(shared.db, spec)).toEqual({ created: false, name, role: 'finance' });
    expect(await registerBootstrapKey(shared.db, spec)).toMatchObject({ created: false });
    expect((await listApiKeys(shared.db)).filter((k) => k.name === name)).toEqual(before);
  });

  it('refuses the same secret under another name or role, keeping the stored key as it was', async () => {
    const name = uniqueId('bootstrap');
    const secret = strongSecret();
    await registerBootstrapKey(shared.db, `${name}:operator:${secret}`);
    await expect(registerBootstrapKey(shared.db, `${uniqueId('other')}:finance:${secret}`)).rejects.toThrow(
      `already registered as "${name}" (operator)`,
    );
    await expect(registerBootstrapKey(shared.db, `${name}:finance:${secret}`)).rejects.toThrow('already registered');
    expect(await findLiveApiKey(shared.db, digestApiKey(secret))).toMatchObject({ name, role: 'operator' });
  });

  it('does not bring a revoked bootstrap key back to life on the next start', async () => {
    const name = uniqueId('bootstrap');
    const secret = strongSecret();
    await registerBootstrapKey(shared.db, `${name}:service:${secret}`);
    expect(await revokeApiKey(shared.db, name)).toBe(true);
    await expect(registerBootstrapKey(shared.db, `${name}:service:${secret}`)).rejects.toThrow('was revoked');
    expect(await findLiveApiKey(shared.db, digestApiKey(secret))).toBeUndefined();
  });

  it('refuses a second live key under the same name with another secret', async () => {
    const name = uniqueId('bootstrap');
    await registerBootstrapKey(shared.db, `${name}:service:${strongSecret()}`);
    const other = strongSecret();
    await expect(registerBootstrapKey(shared.db, `${name}:service:${other}`)).rejects.toThrow();
    expect(await findLiveApiKey(shared.db, digestApiKey(other))).toBeUndefined();
  });

  it.each([
    ['a short secret', 'x'.repeat(31)],
    ['a secret with other characters', `${'a'.repeat(31)}!`],
    ['a secret with spaces', `${'a'.repeat(20)} ${'b'.repeat(20)}`],
    ['an over-long secret', 'a'.repeat(201)],
  ])('refuses %s and stores nothing', async (_what, secret) => {
    await expect(registerBootstrapKey(shared.db, `${uniqueId('weak')}:service:${secret}`)).rejects.toThrow(
      'the secret must be 32 to 200 letters, digits, "_" or "-"',
    );
    expect(await findLiveApiKey(shared.db, digestApiKey(secret))).toBeUndefined();
  });

  it.each(['admin', 'SERVICE', 'services'])('refuses the role %j', async (role) => {
    const secret = strongSecret();
    await expect(registerBootstrapKey(shared.db, `${uniqueId('bad-role')}:${role}:${secret}`)).rejects.toThrow(
      'role must be one of service, finance, operator',
    );
    expect(await findLiveApiKey(shared.db, digestApiKey(secret))).toBeUndefined();
  });

  it.each([
    ['an empty value', ''],
    ['a name alone', 'ci'],
    ['no secret', 'ci:service'],
    ['an empty name', `:service:${'a'.repeat(40)}`],
    ['an empty secret', 'ci:service:'],
    ['a fourth part', `ci:service:${'a'.repeat(40)}:extra`],
  ])('refuses %s as not name:role:secret', async (_what, spec) => {
    await expect(registerBootstrapKey(shared.db, spec)).rejects.toThrow('expected name:role:secret');
  });
});

describe('ensureDevKeys', () => {
  const modeOf = (file: string) => statSync(file).mode & 0o777;

  it('issues one key per role on a database with no key, into a file only the user can read', async () => {
    const { handle } = await scratchDatabase();
    const file = path.join(tmp, uniqueId('dev'), 'nested', 'api-keys.json');
    const result = await ensureDevKeys(handle.db, file);
    expect(result.created).toBe(true);
    expect(Object.keys(result.keys!).sort()).toEqual(['finance', 'operator', 'service']);
    for (const role of ['service', 'finance', 'operator'] as const) {
      const key = result.keys![role];
      expect(key.name).toBe(`dev-${role}`);
      expect(await findLiveApiKey(handle.db, digestApiKey(key.secret))).toMatchObject({ name: `dev-${role}`, role });
    }
    expect(await countLiveApiKeys(handle.db)).toBe(3);
    expect(modeOf(file)).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(result.keys);

    const app = await apiOver(handle);
    expect((await readWith(app, result.keys!.operator.secret)).statusCode).toBe(404);
  });

  it('issues nothing the second time and answers with the keys from the file', async () => {
    const { handle } = await scratchDatabase();
    const file = path.join(tmp, `${uniqueId('dev')}.json`);
    const first = await ensureDevKeys(handle.db, file);
    const written = readFileSync(file, 'utf8');
    const second = await ensureDevKeys(handle.db, file);
    expect(second).toEqual({ created: false, keys: first.keys });
    expect(await listApiKeys(handle.db)).toHaveLength(3);
    expect(readFileSync(file, 'utf8')).toBe(written);
    expect(modeOf(file)).toBe(0o600);
  });

  it('issues nothing and writes no file on a database that already has a live key', async () => {
    const { handle } = await scratchDatabase();
    await issueApiKey(handle.db, 'ops-team', 'operator');
    const file = path.join(tmp, `${uniqueId('dev')}.json`);
    expect(await ensureDevKeys(handle.db, file)).toEqual({ created: false, keys: null });
    expect(existsSync(file)).toBe(false);
    expect((await listApiKeys(handle.db)).map((k) => k.name)).toEqual(['ops-team']);
  });

  it('counts only live keys: a database whose keys are all revoked gets dev keys', async () => {
    const { handle } = await scratchDatabase();
    await issueApiKey(handle.db, 'dev-service', 'service');
    expect(await revokeApiKey(handle.db, 'dev-service')).toBe(true);
    const file = path.join(tmp, `${uniqueId('dev')}.json`);
    const result = await ensureDevKeys(handle.db, file);
    expect(result.created).toBe(true);
    expect(await countLiveApiKeys(handle.db)).toBe(3);
  });

  it('tightens a file that was left readable by others', async () => {
    const { handle } = await scratchDatabase();
    const file = path.join(tmp, `${uniqueId('dev')}.json`);
    writeFileSync(file, 'stale\n', { mode: 0o644 });
    const result = await ensureDevKeys(handle.db, file);
    expect(result.created).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(result.keys);
  });
});

describe('npm run keys', () => {
  let cli: { url: string; handle: DatabaseHandle };
  let app: FastifyInstance;
  beforeAll(async () => {
    cli = await scratchDatabase();
    app = await apiOver(cli.handle);
  });

  /** The CLI's own command line, against the scratch database (npm adds only start-up time). */
  function keys(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: cli.url };
    return run(process.execPath, ['--import', 'tsx', 'workers/keys.ts', ...args], env);
  }

  function run(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr: stderr.replace(/^npm warn .*\n/gm, '') }));
    });
  }

  async function create(name: string, role: string) {
    const res = await keys('create', name, role);
    expect(res.code, res.stderr).toBe(0);
    const [headline, secret, ...rest] = res.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    return { headline: headline!, secret: secret!, id: /created key (key_[0-9a-f]+)/.exec(headline!)?.[1] };
  }

  const listLine = async (name: string) => {
    const res = await keys('list');
    expect(res.code, res.stderr).toBe(0);
    return { all: res.stdout, line: res.stdout.split('\n').find((l) => l.split('\t')[1] === name) };
  };

  it('creates a key and prints its secret once; only the digest is stored', async () => {
    const name = uniqueId('shop');
    const { headline, secret, id } = await create(name, 'service');
    expect(headline).toBe(`created key ${id} "${name}" with role service; it is shown once:`);
    expect(secret).toMatch(/^o2c_[A-Za-z0-9_-]{43}$/);
    expect(await findLiveApiKey(cli.handle.db, digestApiKey(secret))).toEqual({ id, name, role: 'service' });
    const stored = await cli.handle.rows(sql`select * from api_keys where name = ${name}`);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect((await readWith(app, secret)).statusCode).toBe(404);
  });

  it('lists keys with their role and state, never the secret', async () => {
    const name = uniqueId('finance-desk');
    const { secret, id } = await create(name, 'finance');
    const { all, line } = await listLine(name);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(digestApiKey(secret));
    const [listedId, listedName, role, createdAt, state] = line!.split('\t');
    expect({ listedId, listedName, role, state }).toEqual({ listedId: id, listedName: name, role: 'finance', state: 'live' });
    expect(Date.parse(createdAt!)).not.toBeNaN();
  });

  it('revokes a key by name: the API refuses it with 401 and the list says when', async () => {
    const name = uniqueId('retired');
    const { secret } = await create(name, 'operator');
    expect((await readWith(app, secret)).statusCode).toBe(404);

    const res = await keys('revoke', name);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe(`revoked ${name}`);
    const refused = await readWith(app, secret);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'UNAUTHORIZED', detail: 'The API key is unknown or revoked.' });
    expect((await listLine(name)).line).toMatch(/\trevoked \d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
  });

  it('revokes a key by ID, and a key revoked once cannot be revoked again', async () => {
    const name = uniqueId('by-id');
    const { secret, id } = await create(name, 'service');
    const res = await keys('revoke', id!);
    expect(res.code, res.stderr).toBe(0);
    expect(await findLiveApiKey(cli.handle.db, digestApiKey(secret))).toBeUndefined();
    const again = await keys('revoke', id!);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(`no live key named or with ID "${id}"`);
  });

  it('a server that cached the key accepts it until its cache time passes', async () => {
    const name = uniqueId('cached');
    const { secret } = await create(name, 'operator');
    // A cache time no run of this test outlasts, however slow the machine (a minute was as
    // long as the test may take, so a slow revoke could have expired it).
    const caching = await apiOver(cli.handle, 24 * 60 * 60 * 1000);
    expect((await readWith(caching, secret)).statusCode).toBe(404);
    expect((await keys('revoke', name)).code).toBe(0);
    expect((await readWith(caching, secret)).statusCode).toBe(404);
    expect((await readWith(app, secret)).statusCode).toBe(401);
  });

  it('refuses a second live key under one name, and allows the name again once revoked', async () => {
    const name = uniqueId('dup');
    const first = await create(name, 'service');
    const dup = await keys('create', name, 'finance');
    expect(dup.code).toBe(2);
    expect(dup.stderr.trim()).toBe(`a live key named "${name}" exists; revoke it first or pick another name`);
    expect(dup.stdout).not.toMatch(/o2c_/);
    expect((await listApiKeys(cli.handle.db)).filter((k) => k.name === name)).toHaveLength(1);

    expect((await keys('revoke', name)).code).toBe(0);
    const second = await create(name, 'finance');
    expect(second.id).not.toBe(first.id);
    expect(await findLiveApiKey(cli.handle.db, digestApiKey(second.secret))).toMatchObject({ name, role: 'finance' });
  });

  it.each([
    ['an unknown command', ['rotate', 'x']],
    ['no command', []],
    ['create without a role', ['create', 'lonely']],
    ['create with an extra argument', ['create', 'x', 'service', 'extra']],
    ['revoke without a name', ['revoke']],
  ])('prints the usage and exits 2 for %s', async (_what, args) => {
    const res = await keys(...args);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('usage: npm run keys -- create <name> <service|finance|operator> | list | revoke <name|id>');
    expect(res.stdout).toBe('');
  });

  it('refuses an unknown role and creates nothing', async () => {
    const name = uniqueId('root');
    const res = await keys('create', name, 'admin');
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('role must be one of service, finance, operator');
    expect((await listApiKeys(cli.handle.db)).filter((k) => k.name === name)).toEqual([]);
  });

  it('names DATABASE_URL when it is missing or not a postgres URL', async () => {
    const { DATABASE_URL: _unset, ...env } = process.env;
    // As an operator types it, through npm.
    const missing = await run('npm', ['run', '--silent', 'keys', '--', 'list'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^invalid configuration: DATABASE_URL is required/);
    const wrong = await run(process.execPath, ['--import', 'tsx', 'workers/keys.ts', 'list'], { ...env, DATABASE_URL: 'mysql://localhost/db' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/DATABASE_URL="mysql:\/\/localhost\/db": must be a postgres:\/\/ URL/);
  });
});
