import { Client, Connection, type ConnectionOptions, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { TemporalConnectionSettings } from './env.js';

const RESOURCE_EXHAUSTED = 8;

/**
 * The SDK's retries, except on RESOURCE_EXHAUSTED: the server's back-pressure (too many
 * updates in flight on an order, rate limits) goes straight back to the HTTP caller as 429
 * with Retry-After, instead of holding the request through ten backed-off attempts.
 */
export function apiRetryInterceptor() {
  const defaults = defaultGrpcRetryOptions();
  return makeGrpcRetryInterceptor({
    delayFunction: defaults.delayFunction,
    retryableDecider: (attempt, status) => status.code !== RESOURCE_EXHAUSTED && defaults.retryableDecider(attempt, status),
  });
}

/**
 * The longest wait between attempts to reach a Temporal that cannot be reached. gRPC's own
 * backoff grows to 120 s: after an outage of a few minutes the API would go on answering 503
 * for up to two minutes after Temporal was back. Attempts to a server that is down cost nothing.
 */
export const MAX_RECONNECT_BACKOFF_MS = 5_000;

function connectionOptions(settings: TemporalConnectionSettings): ConnectionOptions {
  return {
    address: settings.address,
    tls: settings.tls,
    interceptors: [apiRetryInterceptor()],
    channelArgs: { 'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS },
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  };
}

/** The API's client: one gRPC connection per process, shared by every request. */
export async function connectClient(settings: TemporalConnectionSettings): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(settings));
  return new Client({ connection, namespace: settings.namespace });
}

/**
 * The API's client for a Temporal that may not be up yet (`npm run api`, deployed apart from
 * it): returned at once, it connects on the first call and again after any outage. Until
 * Temporal answers, /ready names it and requests that need it answer 503 with Retry-After;
 * `onUnreachable` hears why the first attempt, made now, failed.
 */
export function openClient(settings: TemporalConnectionSettings, onUnreachable: (err: Error) => void): Client {
  const connection = Connection.lazy(connectionOptions(settings));
  connection.ensureConnected().catch((err: Error) => onUnreachable(err));
  return new Client({ connection, namespace: settings.namespace });
}
