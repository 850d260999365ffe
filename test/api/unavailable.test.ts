// Which errors are an outage (503 with Retry-After) and which a bug (500): the classification
// alone, on errors as the drivers shape them, some made up and some real.
import { Client, Connection, ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DefaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../api/errors.js';
import { fromTemporal } from '../../api/temporal-errors.js';
import { unavailableDependency } from '../../api/unavailable.js';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { openTestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/processes.js';

/** A server's error as postgres.js builds it from an ErrorResponse. */
const serverError = (code: string, message: string) =>
  new postgres.PostgresError({ name: 'PostgresError', severity: 'FATAL', severity_local: 'FATAL', code, message } as never);

/** A socket error as Node raises it. */
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });

/** postgres.js's own connection errors (Errors.connection in postgres/src/errors.js). */
const driverError = (code: string) => Object.assign(new Error(`write ${code} 127.0.0.1:5432`), { code, errno: code, address: '127.0.0.1', port: 5432 });

/** What drizzle throws for a failed query: the driver's error in `cause`. */
const wrapped = (cause: unknown) => new DrizzleQueryError('select "id" from "orders" where "id" = $1', ['po-1'], cause as Error);

/** A gRPC status error, as @grpc/grpc-js raises it. */
const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

describe('the database is unavailable', () => {
  it.each([
    ['the server refuses the connection (stopped)', socketError('ECONNREFUSED')],
    ['the connection is reset', socketError('ECONNRESET')],
    ['the connection times out at the socket', socketError('ETIMEDOUT')],
    ['the host cannot be reached', socketError('EHOSTUNREACH')],
    ["the host's name no longer resolves (a stopped container)", socketError('ENOTFOUND')],
    ['no connection within connect_timeout', driverError('CONNECT_TIMEOUT')],
    ['the connection closed with the query in flight', driverError('CONNECTION_CLOSED')],
    ['the pool was ended', driverError('CONNECTION_ENDED')],
    ['the connection was destroyed with the query queued', driverError('CONNECTION_DESTROYED')],
    ['57P01 admin_shutdown: the server is stopping', serverError('57P01', 'terminating connection due to administrator command')],
    ['57P02 crash_shutdown: the server is resetting after a crash', serverError('57P02', 'terminating connection because of crash of another server process')],
    ['57P03 cannot_connect_now: starting up', serverError('57P03', 'the database system is starting up')],
    ['08006 connection_failure', serverError('08006', 'connection failure')],
    ['08001 unable to connect', serverError('08001', 'could not connect')],
    ['08003 connection_does_not_exist', serverError('08003', 'connection does not exist')],
  ])('%s, alone and as drizzle wraps it', (_what, error) => {
    expect(unavailableDependency(error)).toBe('database');
    expect(unavailableDependency(wrapped(error))).toBe('database');
  });

  it('also when the refusal is one of several tried addresses (an AggregateError)', () => {
    const both = Object.assign(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')], 'connect failed'), {});
    expect(unavailableDependency(wrapped(both))).toBe('database');
  });
});

describe('a bug or a refusal is not an outage', () => {
  it.each([
    ['42601 syntax_error', serverError('42601', 'syntax error at or near "selec"')],
    ['23505 unique_violation (a constraint the API should have checked)', serverError('23505', 'duplicate key value violates unique constraint "customers_pkey"')],
    ['23503 foreign_key_violation', serverError('23503', 'insert or update violates foreign key constraint')],
    ['42P01 undefined_table (a migration not run)', serverError('42P01', 'relation "orders" does not exist')],
    ['08P01 protocol_violation: a malformed message from the client', serverError('08P01', 'bind message supplies 1 parameters, but prepared statement requires 2')],
    ['28P01 invalid_password: a configuration error', serverError('28P01', 'password authentication failed for user "o2c"')],
    ['3D000 invalid_catalog_name: the database does not exist', serverError('3D000', 'database "o2c" does not exist')],
    ['57014 query_canceled (statement timeout)', serverError('57014', 'canceling statement due to statement timeout')],
    ["postgres.js's UNSAFE_TRANSACTION", Object.assign(new Error('UNSAFE_TRANSACTION: Only use sql.begin'), { code: 'UNSAFE_TRANSACTION' })],
    ['a plain error', new Error('boom')],
    ['a domain error', new DomainError('CONFLICT', 'Order po-1 already exists with different details.')],
    ['a string', 'boom'],
    ['nothing', undefined],
  ])('%s', (_what, error) => {
    expect(unavailableDependency(error)).toBeUndefined();
    expect(unavailableDependency(wrapped(error))).toBeUndefined();
  });

  it('ends on an error that is its own cause', () => {
    const loop = new Error('loop') as Error & { cause?: unknown };
    loop.cause = loop;
    expect(unavailableDependency(loop)).toBeUndefined();
  });
});

describe('Temporal is unavailable', () => {
  it('on gRPC UNAVAILABLE, alone and as the cause of the SDK connecting', () => {
    const refused = grpcError(14, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7233');
    expect(unavailableDependency(refused)).toBe('temporal');
    expect(unavailableDependency(new ServiceError('Failed to connect to Temporal server', { cause: refused }))).toBe('temporal');
  });

  it('not on other gRPC statuses: a deadline says nothing about whether the server is up', () => {
    for (const code of [3, 4, 5, 8, 9]) expect(unavailableDependency(grpcError(code, 'details'))).toBeUndefined();
  });

  it('maps to 503 UNAVAILABLE with Retry-After in fromTemporal, also when the server was never reached', () => {
    const refused = grpcError(14, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7233');
    for (const err of [refused, new ServiceError('Failed to connect to Temporal server', { cause: refused })]) {
      const mapped = fromTemporal(err);
      expect(mapped).toBeInstanceOf(DomainError);
      expect(mapped).toMatchObject({ code: 'UNAVAILABLE', message: 'Temporal is not reachable; retry shortly.', extra: { retryAfterSeconds: 5 } });
    }
    const deadline = new ServiceError('Failed to connect to Temporal server', { cause: grpcError(4, 'Deadline exceeded') });
    expect(fromTemporal(deadline)).toMatchObject({ code: 'UNAVAILABLE', extra: { retryAfterSeconds: 5 } });
  });
});

describe('an update the server gave up on', () => {
  // As the client decodes the server's answer when the workflow task that carried the update
  // failed under load: a failure from the server, not from the order's validator.
  const serverFailure = (message: string, type: string) =>
    new WorkflowUpdateFailedError(
      'Workflow Update failed',
      new DefaultFailureConverter().failureToError(
        { message, source: 'Server', applicationFailureInfo: { type, nonRetryable: true } },
        defaultPayloadConverter,
      ),
    );

  it('is 503 with Retry-After, never a 500: none of its steps ran', () => {
    const mapped = fromTemporal(serverFailure("Workflow Update is rejected because it wasn't processed by worker.", ''));
    expect(mapped).toBeInstanceOf(DomainError);
    expect(mapped).toMatchObject({ code: 'UNAVAILABLE', extra: { retryAfterSeconds: 1 } });
    expect((mapped as DomainError).message).toContain("wasn't processed by worker");
  });

  it("leaves the order's own refusals to their codes", () => {
    const refused = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      new DefaultFailureConverter().failureToError(
        { message: 'no credit decision is pending', source: 'TypeScriptSDK', applicationFailureInfo: { type: 'OrderConflict', nonRetryable: true } },
        defaultPayloadConverter,
      ),
    );
    expect(fromTemporal(refused)).toMatchObject({ code: 'CONFLICT', message: 'no credit decision is pending' });
  });
});

describe('errors the drivers really raise', () => {
  let database: DatabaseHandle;
  let down: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
    down = await openDatabase({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
  });
  afterAll(async () => {
    await database?.close();
    await down?.close();
  });

  const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail('the query succeeded'), (err: unknown) => err);

  it('a query to a server that is not there is the database unavailable', async () => {
    const err = await failure(down.db.execute(sql`select 1`));
    expect(err).toBeInstanceOf(DrizzleQueryError);
    expect(unavailableDependency(err)).toBe('database');
  });

  it('a syntax error and a unique violation are not', async () => {
    expect(unavailableDependency(await failure(database.db.execute(sql`selec 1`)))).toBeUndefined();
    const duplicate = await failure(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`create temp table outage_unique (n int primary key) on commit drop`);
        await tx.execute(sql`insert into outage_unique values (1), (1)`);
      }),
    );
    expect(duplicate).toMatchObject({ cause: { code: '23505' } });
    expect(unavailableDependency(duplicate)).toBeUndefined();
  });

  it('a Temporal frontend that is not there is Temporal unavailable', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
    try {
      const err = await failure(
        connection.withDeadline(Date.now() + 2000, () => new Client({ connection }).workflowService.describeNamespace({ namespace: 'default' })),
      );
      expect(unavailableDependency(err)).toBe('temporal');
    } finally {
      await connection.close();
    }
  });
});
