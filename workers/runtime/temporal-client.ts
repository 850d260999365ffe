import { Client, Connection } from '@temporalio/client';
import type { TemporalConnectionSettings } from './env.js';

/** The API's client: one gRPC connection per process, shared by every request. */
export async function connectClient(settings: TemporalConnectionSettings): Promise<Client> {
  const connection = await Connection.connect({
    address: settings.address,
    tls: settings.tls,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  });
  return new Client({ connection, namespace: settings.namespace });
}
