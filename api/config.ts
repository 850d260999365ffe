import { logLevel, port, postgresUrl, temporalEnv, z } from '../workers/runtime/env.js';

/** `npm run api`: the API alone, for production where it scales apart from the worker. */
export const apiEnv = {
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port(3000),
  DATABASE_URL: postgresUrl,
  LOG_LEVEL: logLevel,
  ...temporalEnv,
};
