// Processes are configured only through environment variables, checked at start-up. A bad
// or missing value stops start-up with one line naming the variable, never a stack trace.
import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

type Shape = Record<string, z.ZodType>;

/** Empty strings count as unset, so `PORT= npm run api` falls back to the default. */
function withoutEmpty(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of keys) {
    const value = env[key];
    out[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  return out;
}

/** A value as a message may quote it: a secret never, a URL without its password. */
function shown(name: string, value: string): string {
  if (/KEY|SECRET|TOKEN|PASSWORD/i.test(name)) return '<hidden>';
  try {
    const url = new URL(value);
    if (url.password) {
      url.password = '***';
      return JSON.stringify(url.toString());
    }
  } catch {
    // Not a URL: quoted as it is.
  }
  return JSON.stringify(value);
}

export function parseEnv<S extends Shape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const keys = Object.keys(shape);
  const input = withoutEmpty(env, keys);
  const result = z.object(shape).safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    const got = input[name];
    return got === undefined ? `${name} is required (${issue.message})` : `${name}=${shown(name, got)}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** parseEnv for an entry point: on a bad value, one line on stderr and exit code 1. */
export function loadEnv<S extends Shape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  try {
    return parseEnv(shape, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int({ error: 'must be a whole port number' })
    .min(1, { error: 'must be a port from 1 to 65535' })
    .max(65535, { error: 'must be a port from 1 to 65535' })
    .default(fallback);

export const boolFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1')
    .default(fallback);

export const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  error: 'must be a postgres:// URL',
});

export const hostPort = z
  .string()
  .regex(/^[^\s:/]+:\d{1,5}$/, { error: 'must be host:port' });

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  .default('info');

/** How every process reaches Temporal: a local dev server or a cluster such as Temporal Cloud. */
export const temporalEnv = {
  TEMPORAL_ADDRESS: hostPort.default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: boolFlag(false),
};

export type TemporalEnv = z.infer<z.ZodObject<typeof temporalEnv>>;

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  tls: boolean;
  apiKey?: string;
}

export function temporalSettings(env: TemporalEnv): TemporalConnectionSettings {
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    // An API key is only ever sent over TLS.
    tls: env.TEMPORAL_TLS || env.TEMPORAL_API_KEY !== undefined,
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
  };
}
