import { logLevel, postgresUrl, temporalEnv, z } from './runtime/env.js';

/** `npm run worker`: the worker alone, for production where it scales apart from the API. */
export const workerEnv = {
  DATABASE_URL: postgresUrl,
  LOG_LEVEL: logLevel,
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number({ error: 'must be a number' }).int().min(0).optional(),
  /** A bundle from `npm run build:workflows`; unset, the worker bundles the code at start. */
  WORKFLOW_BUNDLE: z.string().min(1).optional(),
  WORKER_WORKFLOW_THREADS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(64).optional(),
  ...temporalEnv,
};
