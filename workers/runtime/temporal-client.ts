import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
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

/** The API's client: one gRPC connection per process, shared by every request. */
export async function connectClient(settings: TemporalConnectionSettings): Promise<Client> {
  const connection = await Connection.connect({
    address: settings.address,
    tls: settings.tls,
    interceptors: [apiRetryInterceptor()],
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  });
  return new Client({ connection, namespace: settings.namespace });
}
