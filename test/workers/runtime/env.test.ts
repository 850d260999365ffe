import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiEnv } from '../../../api/config.js';
import { workerEnv } from '../../../workers/config.js';
import { ConfigError, parseEnv, temporalSettings } from '../../../workers/runtime/env.js';

const DB = 'postgres://app@db.example:5432/o2c';

describe('parseEnv', () => {
  it('applies defaults and treats empty values as unset', () => {
    const env = parseEnv(apiEnv, { DATABASE_URL: DB, PORT: '' });
    expect(env).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 3000,
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TLS: false,
      LOG_LEVEL: 'info',
    });
  });

  it.each([
    [{ DATABASE_URL: DB, PORT: 'abc' }, 'PORT="abc"'],
    [{ DATABASE_URL: DB, PORT: '70000' }, 'PORT="70000": must be a port from 1 to 65535'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL="mysql://x@y/z": must be a postgres:// URL'],
    [{ DATABASE_URL: DB, TEMPORAL_ADDRESS: 'http://temporal' }, 'TEMPORAL_ADDRESS="http://temporal": must be host:port'],
    [{ DATABASE_URL: DB, TEMPORAL_TLS: 'yes' }, 'TEMPORAL_TLS="yes": must be true or false'],
    [{}, 'DATABASE_URL is required'],
  ])('names the variable that is wrong: %o', (env, expected) => {
    expect(() => parseEnv(apiEnv, env)).toThrow(ConfigError);
    expect(() => parseEnv(apiEnv, env)).toThrow(expected);
  });

  it('reports every bad variable in one line', () => {
    try {
      parseEnv(workerEnv, { LOG_LEVEL: 'loud', WORKER_MAX_CACHED_WORKFLOWS: '-1' });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(/DATABASE_URL is required.*LOG_LEVEL="loud".*WORKER_MAX_CACHED_WORKFLOWS="-1"/);
    }
  });

  it('takes the worker\'s workflow threads as a whole number from 1', () => {
    expect(parseEnv(workerEnv, { DATABASE_URL: DB, WORKER_WORKFLOW_THREADS: '3' }).WORKER_WORKFLOW_THREADS).toBe(3);
    expect(parseEnv(workerEnv, { DATABASE_URL: DB }).WORKER_WORKFLOW_THREADS).toBeUndefined();
    expect(() => parseEnv(workerEnv, { DATABASE_URL: DB, WORKER_WORKFLOW_THREADS: '0' })).toThrow(/WORKER_WORKFLOW_THREADS="0"/);
  });

  it('never quotes a secret in its message: a key, nor the password of a URL', () => {
    const secret = 'Zq8vN3kP1xT7mR2wY5bL9cF4hJ6dG0sA';
    const message = (env: Record<string, string>) => {
      try {
        parseEnv(apiEnv, env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    const badKey = message({ DATABASE_URL: DB, API_BOOTSTRAP_KEY: `ci:admin:${secret}` });
    expect(badKey).toContain('API_BOOTSTRAP_KEY=<hidden>: must be name:role:secret');
    expect(badKey).not.toContain(secret);
    const badUrl = message({ DATABASE_URL: `mysql://app:${secret}@db.example/o2c` });
    expect(badUrl).toContain('DATABASE_URL="mysql://app:***@db.example/o2c": must be a postgres:// URL');
    expect(badUrl).not.toContain(secret);
  });

  it('sends an API key only over TLS', () => {
    const env = parseEnv(workerEnv, { DATABASE_URL: DB, TEMPORAL_API_KEY: 'secret', TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233' });
    expect(temporalSettings(env)).toEqual({ address: 'ns.tmprl.cloud:7233', namespace: 'default', tls: true, apiKey: 'secret' });
  });
});

describe('entry points with bad configuration', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  it.each([
    ['api/server.ts', { PORT: 'abc', DATABASE_URL: DB }, 'PORT'],
    ['workers/main.ts', { DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    ['workers/migrate.ts', {}, 'DATABASE_URL'],
  ])('%s stops with one line naming %s, no stack trace', (entry, vars, name) => {
    const { PORT: _p, DATABASE_URL: _d, ...inherited } = process.env;
    const result = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      cwd: root,
      env: { ...inherited, ...vars },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: ${name}`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
