// The HTTP front door as a Fastify plugin: `buildApp` is what the servers listen with
// and what tests drive through `inject`. It holds no business rule; routes start
// workflows and talk to them.
import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DatabaseHandle } from '../db/client.js';
import type { OrderPolicyName } from '../workflows/order/rules/policy.js';
import { requireApiKeys } from './auth.js';
import { DEFAULT_ENGINE_CALLS, EngineAdmission } from './admission.js';
import { registerErrorHandling, sendProblem } from './errors.js';
import { EXAMPLE_SEQUENCE } from './examples.js';
import { INPUT_RULES } from './schemas/orders.js';
import { openApiTransform, openApiTransformObject } from './openapi.js';
import { customerRoutes } from './routes/customers.js';
import { healthRoutes } from './routes/health.js';
import { orderRoutes } from './routes/orders.js';

const READY_TEMPORAL_DEADLINE_MS = 2_500;

export interface AppDeps {
  temporal: Client;
  namespace: string;
  database: Pick<DatabaseHandle, 'db' | 'ping'>;
  /** Policy profiles callers may name when creating orders; `standard` is always offered. */
  policies?: readonly OrderPolicyName[];
  /** Task queue the order workers poll, when not the default (tests). */
  orderTaskQueue?: string;
  /** How long a looked-up API key is trusted before it is read again. */
  apiKeyCacheMs?: number;
  /** How long a request waits on an order's workflow before answering 503. */
  temporalTimeouts?: { updateMs: number; queryMs: number };
  /** The calls to the engine this process may have in flight; past them 429 at once (default 32). */
  admission?: EngineAdmission;
}

export const apiPlugin: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  // JSON only: any other body is refused with 415 rather than passed on as a string.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Order-to-cash engine API',
        version: '0.1.0',
        description: `Starts order workflows and reports shipments, payments and finance decisions to them.\n\n${INPUT_RULES}`,
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer o2c_...`' },
        },
      },
    },
    transform: openApiTransform,
    transformObject: openApiTransformObject(EXAMPLE_SEQUENCE),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, {
    checkTemporal: async () => {
      // A deadline inside the probe's own timeout, so the client's retries end with the probe
      // instead of running on after it.
      await deps.temporal.connection.withDeadline(Date.now() + READY_TEMPORAL_DEADLINE_MS, () =>
        deps.temporal.connection.workflowService.describeNamespace({ namespace: deps.namespace }),
      );
    },
    checkDatabase: () => deps.database.ping(),
  });

  // Everything below needs an API key with a role the route names.
  await app.register(async (secured) => {
    requireApiKeys(secured, { db: deps.database.db, cacheMs: deps.apiKeyCacheMs });
    await secured.register(customerRoutes, { db: deps.database.db });
    await secured.register(orderRoutes, {
      temporal: deps.temporal,
      db: deps.database.db,
      policies: ['standard', ...(deps.policies ?? []).filter((p) => p !== 'standard')],
      taskQueue: deps.orderTaskQueue,
      timeouts: deps.temporalTimeouts,
      admission: deps.admission ?? new EngineAdmission(DEFAULT_ENGINE_CALLS),
    });
  });
};

export interface BuildAppOptions {
  /** Fastify's logger options; credential headers are redacted whatever they say. */
  logger?: FastifyServerOptions['logger'];
}

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

/**
 * Where a credential header may sit in a log line: the headers themselves, or one level
 * down (`req.headers`, `request.headers`, `res.headers`...), as a serializer would put them.
 */
export const LOG_REDACT_PATHS = CREDENTIAL_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]);

/** The caller's logger options with the credential headers added to what pino redacts. */
export function redactingLogger(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  const given = options.redact;
  const paths = [...LOG_REDACT_PATHS, ...(Array.isArray(given) ? given : (given?.paths ?? []))];
  return { ...options, redact: given && !Array.isArray(given) ? { ...given, paths } : paths };
}

export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // API keys travel in `Authorization`: no log line may hold one, at any level.
    logger: redactingLogger(options.logger),
    // Honour the caller's request ID so one ID follows a request across services, when it is
    // a plain token; anything else (too long, odd characters) is replaced, never logged as is.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 256 * 1024,
    // Longer than any valid ID, so an over-long one reaches the schema and is named there.
    routerOptions: { maxParamLength: 500 },
    return503OnClosing: true,
    // Errors raised before routing (a malformed URL) get the same problem body as the rest.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      sendProblem(reply, request, 'VALIDATION_FAILED', error.message);
    },
  });
  await app.register(apiPlugin, deps);
  await app.ready();
  return app;
}
