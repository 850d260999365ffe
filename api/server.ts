// `npm run api`: listens and shuts down gracefully; everything else is in app.ts.
import { openDatabase } from '../db/client.js';
import { loadEnv, temporalSettings } from '../workers/runtime/env.js';
import { onShutdown } from '../workers/runtime/shutdown.js';
import { openClient } from '../workers/runtime/temporal-client.js';
import { EngineAdmission } from './admission.js';
import { buildApp } from './app.js';
import { registerBootstrapKey } from './auth.js';
import { apiEnv } from './config.js';

const env = loadEnv(apiEnv);
const temporal = temporalSettings(env);
const database = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL });
if (env.API_BOOTSTRAP_KEY) {
  const key = await registerBootstrapKey(database.db, env.API_BOOTSTRAP_KEY);
  console.log(`bootstrap API key "${key.name}" (${key.role}) ${key.created ? 'registered' : 'already registered'}`);
}
// The API starts without Temporal: /ready says it is down and requests that need it answer 503.
const client = openClient(temporal, (err) =>
  console.warn(`Temporal at ${temporal.address} does not answer yet (${err.message.split('\n')[0]}); requests that need it answer 503 until it does`),
);
const app = await buildApp(
  { temporal: client, namespace: temporal.namespace, database, policies: env.ORDER_POLICIES, admission: new EngineAdmission(env.API_ENGINE_CALLS) },
  { logger: { level: env.LOG_LEVEL } },
);
await app.listen({ host: env.HOST, port: env.PORT });

onShutdown(async () => {
  await app.close();
  await client.connection.close();
  await database.close();
});
