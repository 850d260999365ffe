import { ORDER_POLICIES, type OrderPolicyName } from '../workflows/order/rules/policy.js';
import { DEFAULT_ENGINE_CALLS } from './admission.js';
import { logLevel, port, postgresUrl, temporalEnv, z } from '../workers/runtime/env.js';

const policyNames = Object.keys(ORDER_POLICIES) as OrderPolicyName[];

/** Settings of the API wherever it runs (alone or inside `npm start`). */
export const apiAccessEnv = {
  /** `name:role:secret`: a first key for a new installation; registering it again is a no-op. */
  API_BOOTSTRAP_KEY: z
    .string()
    .regex(/^[^:\s]+:(service|finance|operator):[A-Za-z0-9_-]{32,200}$/, {
      error: 'must be name:role:secret, role one of service, finance, operator, secret 32 to 200 of A-Z a-z 0-9 _ -',
    })
    .optional(),
  /** Calls to the engine one API process has in flight at most; past it, 429 at once. */
  API_ENGINE_CALLS: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_ENGINE_CALLS),
  /** Policy profiles callers may name on POST /orders, comma-separated. */
  ORDER_POLICIES: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
      .pipe(z.array(z.enum(policyNames, { error: `each must be one of ${policyNames.join(', ')}` }))),
};

/** `npm run api`: the API alone, for production where it scales apart from the worker. */
export const apiEnv = {
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port(3000),
  DATABASE_URL: postgresUrl,
  LOG_LEVEL: logLevel,
  API_BOOTSTRAP_KEY: apiAccessEnv.API_BOOTSTRAP_KEY,
  API_ENGINE_CALLS: apiAccessEnv.API_ENGINE_CALLS,
  ORDER_POLICIES: apiAccessEnv.ORDER_POLICIES('standard'),
  ...temporalEnv,
};
