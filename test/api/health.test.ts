import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { openTestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/processes.js';
import { startDevServer } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let database: DatabaseHandle;
let app: FastifyInstance;

beforeAll(async () => {
  [env, database] = await Promise.all([startDevServer(), openTestDatabase()]);
  app = await buildApp({ temporal: env.client, namespace: 'default', database });
});
afterAll(async () => {
  await app?.close();
  await database?.close();
  await env?.teardown();
});

describe('GET /health', () => {
  it('answers while the process is up', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /ready', () => {
  it('is ready when Temporal and the database answer', async () => {
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { temporal: { ok: true }, database: { ok: true } } });
  });

  it('is 503 naming Temporal when its frontend cannot be reached', async () => {
    // No retry interceptor: the client's retries of the refused connection would otherwise run
    // on timers past the test and fail on the closed channel.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1000, interceptors: [] });
    const unreachable = await buildApp({ temporal: new Client({ connection }), namespace: 'default', database });
    try {
      const res = await unreachable.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', checks: { temporal: { ok: false }, database: { ok: true } } });
      expect(res.json().checks.temporal.error).toEqual(expect.any(String));
    } finally {
      await unreachable.close();
      await connection.close();
    }
  });

  it('is 503 naming the database when it does not answer', async () => {
    const down = await openDatabase({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    const unready = await buildApp({ temporal: env.client, namespace: 'default', database: down });
    try {
      const res = await unready.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', checks: { temporal: { ok: true }, database: { ok: false } } });
    } finally {
      await unready.close();
      await down.close();
    }
  });

  it('is 503 when the namespace does not exist', async () => {
    const wrong = await buildApp({ temporal: env.client, namespace: 'no-such-namespace', database });
    try {
      const res = await wrong.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.temporal).toMatchObject({ ok: false });
    } finally {
      await wrong.close();
    }
  });
});

describe('OpenAPI', () => {
  it('documents the routes from the same zod schemas that validate', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const spec = res.json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
    expect(spec.paths['/ready'].get.responses).toHaveProperty('503');
    expect(spec.paths).not.toHaveProperty('/openapi.json');
  });

  it('serves interactive docs at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});

describe('request IDs and unknown routes', () => {
  it('answers an unknown route with a problem document carrying the request ID', async () => {
    const res = await app.inject({ method: 'GET', url: '/no-such-route?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', detail: 'No route GET /no-such-route.' });
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it.each([
    ['TRACE', '/orders', 'POST, GET, HEAD'],
    ['DELETE', '/orders/po-1?x=1', 'GET, HEAD'],
    ['PUT', '/customers/acme', 'GET, HEAD, PATCH'],
    // A method that carries a body, sent without one: refused for the method, not the body.
    ['QUERY', '/orders/po-1/payments', 'POST'],
    ['TRACE', '/health', 'GET, HEAD'],
  ] as const)('answers %s %s, a path it serves with other methods, with 405 and Allow: %s', async (method, url, allow) => {
    // No key: the method is refused before anything else is looked at.
    const res = await app.inject({ method, url });
    expect(res.statusCode, res.body).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const path = url.split('?')[0];
    expect(res.json()).toMatchObject({
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      detail: `${path} does not take ${method}; it takes ${allow}.`,
      requestId: res.headers['x-request-id'],
    });
  });

  it("keeps the caller's request ID", async () => {
    const res = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'shop-req-42' } });
    expect(res.headers['x-request-id']).toBe('shop-req-42');
  });
});
