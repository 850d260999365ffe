// The Node versions package.json promises are ones every installed package supports, so
// `npm ci` on a supported Node prints no EBADENGINE warning; and the older releases pinned by
// `overrides` to keep that true still do what fastify's injection and static files need.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const semver = require('semver') as {
  validRange(range: string): string | null;
  subset(sub: string, dom: string): boolean;
};

interface Manifest {
  name?: string;
  version?: string;
  engines?: { node?: string };
  overrides?: Record<string, Record<string, string>>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every package under `node_modules`, nested ones included, by its folder. */
function installedPackages(nodeModules: string): string[] {
  const found: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(nodeModules);
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@')
      ? readdirSync(path.join(nodeModules, entry)).map((name) => path.join(nodeModules, entry, name))
      : [path.join(nodeModules, entry)];
    for (const dir of dirs) {
      try {
        readManifest(dir);
      } catch {
        continue;
      }
      found.push(dir);
      found.push(...installedPackages(path.join(dir, 'node_modules')));
    }
  }
  return found;
}

/** The folder `name` resolves to from `from`, as Node looks it up (package.json may not be exported). */
function resolvePackage(name: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === path.dirname(dir)) throw new Error(`${name} is not installed where ${from} finds it`);
  }
}

describe('supported Node versions', () => {
  const ours = readManifest(root).engines?.node;

  it('are named in package.json as a valid range', () => {
    expect(ours).toBeDefined();
    expect(semver.validRange(ours!)).not.toBeNull();
  });

  it('are supported by every installed package', () => {
    const packages = installedPackages(path.join(root, 'node_modules'));
    expect(packages.length).toBeGreaterThan(100);
    const refusing = packages.flatMap((dir) => {
      const { name, version, engines } = readManifest(dir);
      const theirs = engines?.node;
      if (!theirs) return [];
      // `subset` is false for a range that is not one at all, so those are reported too.
      return semver.validRange(theirs) && semver.subset(ours!, theirs)
        ? []
        : [`${name}@${version} (${path.relative(root, dir)}) wants node ${theirs}`];
    });
    expect(refusing, `package.json supports node ${ours}, but:\n${refusing.join('\n')}`).toEqual([]);
  });
});

describe('the releases pinned by overrides to keep Node 20', () => {
  it('are the ones installed', () => {
    const overrides = readManifest(root).overrides ?? {};
    for (const [parent, pins] of Object.entries(overrides)) {
      const parentDir = path.dirname(require.resolve(`${parent}/package.json`, { paths: [root] }));
      for (const [name, version] of Object.entries(pins)) {
        const installed = readManifest(resolvePackage(name, parentDir));
        expect(`${parent} > ${installed.name}@${installed.version}`).toBe(`${parent} > ${name}@${version}`);
      }
    }
  });

  it('cookie: fastify inject sends the cookies it is given', async () => {
    const app = Fastify();
    app.get('/', async (request) => ({ cookie: request.headers.cookie ?? null }));
    try {
      const res = await app.inject({ method: 'GET', url: '/', cookies: { session: 'a b;c', theme: 'dark' } });
      expect(res.json()).toEqual({ cookie: 'session=a%20b%3Bc; theme=dark' });
    } finally {
      await app.close();
    }
  });

  it('content-disposition: @fastify/static names a download', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'o2c-static-'));
    writeFileSync(path.join(dir, 'report.txt'), 'hello\n');
    const app = Fastify();
    await app.register(fastifyStatic, { root: dir, serve: false });
    app.get('/report', (_request, reply) => reply.download('report.txt', 'Q1 report €.txt'));
    try {
      const res = await app.inject({ method: 'GET', url: '/report' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('hello\n');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="Q1 report ?.txt"; filename*=UTF-8''Q1%20report%20%E2%82%AC.txt`);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
