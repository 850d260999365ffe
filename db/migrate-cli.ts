// `npm run db:migrate`: applies the committed migrations to DATABASE_URL (the one-shot
// step before the API and worker start in production).
import { loadEnv, z } from '../workers/runtime/env.js';
import { openDatabase } from './client.js';

const env = loadEnv({ DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }) });
const handle = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL, maxConnections: 1 });
try {
  await handle.migrate();
  console.log('migrations applied');
} finally {
  await handle.close();
}
