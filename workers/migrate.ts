// `npm run db:migrate`: applies the committed migrations to DATABASE_URL (the one-shot
// step before the API and worker start in production).
import { openDatabase } from '../db/client.js';
import { loadEnv, postgresUrl } from './runtime/env.js';

const env = loadEnv({ DATABASE_URL: postgresUrl });
const handle = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL, maxConnections: 1 });
try {
  await handle.migrate();
  console.log('migrations applied');
} finally {
  await handle.close();
}
