import { DrizzleQueryError } from 'drizzle-orm/errors';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError, registerErrorHandling } from '../../api/errors.js';

// The one error handler every route shares, on routes made to fail in each way.
let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify({ bodyLimit: 1024 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post(
    '/things',
    { schema: { body: z.strictObject({ amountMinor: z.number().int().nonnegative(), currency: z.string().length(3) }) } },
    async () => ({ ok: true }),
  );
  typed.get('/conflict', async () => {
    throw new DomainError('CONFLICT', 'Order o-1 already exists with different lines.');
  });
  typed.get('/busy', async () => {
    throw new DomainError('TOO_MANY_REQUESTS', 'Too many updates in flight for order o-1.', { retryAfterSeconds: 2 });
  });
  // What a read of the database throws while it is stopped, and what a bug in a query throws.
  typed.get('/database-down', async () => {
    throw new DrizzleQueryError('select 1', [], Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
  });
  typed.get('/syntax-error', async () => {
    throw new DrizzleQueryError('selec 1', [], Object.assign(new Error('syntax error at or near "selec"'), { name: 'PostgresError', severity: 'ERROR', code: '42601' }));
  });
  typed.get('/boom', async () => {
    throw new Error('connection string postgres://secret@db leaked');
  });
  await app.ready();
});
afterAll(() => app.close());

const post = (payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({ method: 'POST', url: '/things', payload, headers });

describe('problem documents', () => {
  it('lists each failing field with its path', async () => {
    const res = await post(JSON.stringify({ amountMinor: 12.5, currency: 'EURO', extra: true }));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.amountMinor', 'body.currency', 'body']),
    );
  });

  it.each([
    ['malformed JSON', () => post('{"amountMinor": '), 400, 'MALFORMED_JSON'],
    ['an oversized body', () => post(JSON.stringify({ pad: 'x'.repeat(2048) })), 413, 'PAYLOAD_TOO_LARGE'],
    ['a body that is not JSON', () => post('<amountMinor>1</amountMinor>', { 'content-type': 'application/xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s with a 4xx', async (_what, send, status, code) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ status, code });
  });

  it('maps a domain error to its status with the message meant for the caller', async () => {
    const res = await app.inject({ method: 'GET', url: '/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CONFLICT', detail: 'Order o-1 already exists with different lines.' });
  });

  it('sends Retry-After with a 429', async () => {
    const res = await app.inject({ method: 'GET', url: '/busy' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('2');
  });

  it('never leaks internals in a 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('postgres://');
    expect(res.json()).toMatchObject({ code: 'INTERNAL' });
  });

  it('answers 503 with Retry-After when the database cannot be reached, naming it and nothing internal', async () => {
    const res = await app.inject({ method: 'GET', url: '/database-down' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'UNAVAILABLE', detail: 'The database is not reachable; retry shortly.' });
    expect(res.body).not.toContain('127.0.0.1');
  });

  it('keeps a bug in a query a 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/syntax-error' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.json()).toMatchObject({ code: 'INTERNAL' });
  });
});
