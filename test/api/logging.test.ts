// No API key reaches a log line, at any level: the API logs at trace with a request
// serializer that writes every header (as a deployment debugging requests might), takes
// accepted, refused, unknown and malformed keys and one request that fails inside, and
// what the logger wrote is searched for every secret sent.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { issueApiKey } from '../../api/auth.js';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { freePort } from '../helpers/processes.js';

const written: string[] = [];
const logger = {
  level: 'trace',
  stream: { write: (line: string) => void written.push(line) },
  serializers: {
    req: (req: FastifyRequest) => ({ method: req.method, url: req.url, headers: req.headers }),
  },
};

let database: DatabaseHandle;
let unreachableDatabase: DatabaseHandle;
/** Temporal is never reached here: only key checks and database reads run. */
let connection: Connection;
let app: FastifyInstance;
let failing: FastifyInstance;

beforeAll(async () => {
  database = await openTestDatabase();
  unreachableDatabase = await openDatabase({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
  connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1000 });
  const temporal = new Client({ connection });
  app = await buildApp({ temporal, namespace: 'default', database, apiKeyCacheMs: 0 }, { logger });
  failing = await buildApp({ temporal, namespace: 'default', database: unreachableDatabase }, { logger });
});

afterAll(async () => {
  await app?.close();
  await failing?.close();
  await connection?.close();
  await unreachableDatabase?.close();
  await database?.close();
});

describe('the API logger', () => {
  it('writes no API key, whether the key is accepted, refused, unknown or malformed, nor when the request fails', async () => {
    const operator = await issueApiKey(database.db, uniqueId('log-operator'), 'operator');
    const finance = await issueApiKey(database.db, uniqueId('log-finance'), 'finance');
    const unknown = `o2c_${randomBytes(32).toString('base64url')}`;
    const loose = randomBytes(24).toString('hex');
    const sent = [operator.secret, finance.secret, unknown, loose];

    const get = (target: FastifyInstance, headers: Record<string, string>) =>
      target.inject({ method: 'GET', url: `/customers/${uniqueId('nobody')}`, headers });
    // Accepted: the customer is unknown.
    expect((await get(app, { authorization: `Bearer ${operator.secret}` })).statusCode).toBe(404);
    // Accepted, with the wrong role for the route.
    const forbidden = await app.inject({
      method: 'POST',
      url: '/customers',
      headers: { authorization: `Bearer ${finance.secret}` },
      payload: { customerId: uniqueId('cust'), name: 'Nobody', currency: 'USD', creditLimitMinor: 0, paymentTermsDays: 30 },
    });
    expect(forbidden.statusCode).toBe(403);
    // Unknown, malformed, in another scheme, and in a cookie and a proxy header.
    expect((await get(app, { authorization: `Bearer ${unknown}` })).statusCode).toBe(401);
    expect((await get(app, { authorization: `Bearer ${loose} ${operator.secret}` })).statusCode).toBe(401);
    expect((await get(app, { authorization: `Basic ${Buffer.from(`me:${loose}`).toString('base64')}` })).statusCode).toBe(401);
    expect((await get(app, { cookie: `key=${loose}`, 'proxy-authorization': `Bearer ${loose}` })).statusCode).toBe(401);
    // The database does not answer while the key is looked up: 503, the error logged whole.
    expect((await get(failing, { authorization: `Bearer ${operator.secret}` })).statusCode).toBe(503);

    const log = written.join('');
    // The header was there to leak: the serializer wrote it, redacted.
    expect(log).toContain('"authorization":"[Redacted]"');
    expect(log).toContain('"cookie":"[Redacted]"');
    expect(log).toContain('"proxy-authorization":"[Redacted]"');
    expect(log).toContain('database unavailable');
    expect(log).toContain('ECONNREFUSED');
    expect([app.log.level, failing.log.level]).toEqual(['trace', 'trace']);
    for (const secret of sent) expect(log).not.toContain(secret);
    // Nor the Basic credentials, encoded as they were sent.
    expect(log).not.toContain(Buffer.from(`me:${loose}`).toString('base64'));
  });
});
