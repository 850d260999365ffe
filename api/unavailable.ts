// Which errors mean "a service the request needs cannot be reached right now", as opposed to a
// bug. The first answer 503 with Retry-After (the request can succeed once the service is back);
// everything else stays 500. Pure: it reads the error and its causes, nothing else.

export type Dependency = 'database' | 'temporal';

/**
 * Socket errors (Node's `code`) of a connection that could not be made or was cut: the server
 * is down, restarting, or the network between is. A DNS failure is one too: in a container
 * network a stopped database's name stops resolving.
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** postgres.js's own connection errors (`code`, as `errno` too). */
const POSTGRES_JS_CODES = new Set([
  'CONNECT_TIMEOUT', // no connection within connect_timeout
  'CONNECTION_CLOSED', // the socket closed with the query in flight
  'CONNECTION_ENDED', // the pool was ended (the process is shutting down)
  'CONNECTION_DESTROYED', // the connection was destroyed with the query queued
]);

/**
 * SQLSTATEs of a server that is going away or not yet taking connections. Class 08 (connection
 * exception) except 08P01 `protocol_violation`, which PostgreSQL also sends for a malformed
 * message from the client: a bug, not an outage.
 */
const SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping (pg_ctl stop, a fast shutdown)
  '57P02', // crash_shutdown: another backend crashed and the server is resetting
  '57P03', // cannot_connect_now: starting up, shutting down, or in recovery
]);
const isConnectionSqlState = (code: string) => SQLSTATES.has(code) || (/^08[0-9A-Z]{3}$/.test(code) && code !== '08P01');

/** gRPC status codes (the numbers are part of the gRPC protocol). */
const GRPC_UNAVAILABLE = 14;

/** The error and every error below it: `cause` chains, and each error an AggregateError holds. */
function* chain(err: unknown, depth = 0): Generator<object> {
  if (depth > 10 || typeof err !== 'object' || err === null) return;
  yield err;
  const { cause, errors } = err as { cause?: unknown; errors?: unknown };
  if (Array.isArray(errors)) for (const inner of errors) yield* chain(inner, depth + 1);
  yield* chain(cause, depth + 1);
}

/** A gRPC status error, as @temporalio/client and @grpc/grpc-js shape it: numeric code and details. */
function grpcCode(e: object): number | undefined {
  const { code, details } = e as { code?: unknown; details?: unknown };
  return typeof code === 'number' && typeof details === 'string' ? code : undefined;
}

/** True when `e` itself says the database could not be reached (its causes are not looked at). */
function isDatabaseConnectionError(e: object): boolean {
  const { code, name, severity } = e as { code?: unknown; name?: unknown; severity?: unknown };
  if (typeof code !== 'string') return false;
  // A PostgresError: an answer from the server, whose SQLSTATE says what went wrong.
  if (name === 'PostgresError' || typeof severity === 'string') return isConnectionSqlState(code);
  return SOCKET_CODES.has(code) || POSTGRES_JS_CODES.has(code);
}

/**
 * The service `err` says is unreachable, or undefined when it is some other failure (a bug, a
 * constraint, a refusal). The database: a socket that could not connect or was cut, postgres.js's
 * connection errors, a server shutting down or starting up (57P01, 57P02, 57P03, class 08), also
 * when drizzle wraps them (DrizzleQueryError keeps the driver's error in `cause`). Temporal: gRPC
 * UNAVAILABLE, also as the cause of the SDK's "Failed to connect to Temporal server".
 * Deadlines are left to the caller: a call that ran out of time says nothing about whether
 * the server is up (see api/temporal-errors.ts).
 */
export function unavailableDependency(err: unknown): Dependency | undefined {
  for (const e of chain(err)) {
    const grpc = grpcCode(e);
    if (grpc !== undefined) {
      if (grpc === GRPC_UNAVAILABLE) return 'temporal';
      continue;
    }
    if (isDatabaseConnectionError(e)) return 'database';
  }
  return undefined;
}
