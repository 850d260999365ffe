import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { healthExamples as examples } from '../examples.js';
import { response } from '../openapi.js';

export interface HealthDeps {
  /** Throws when Temporal's frontend or the namespace cannot be reached. */
  checkTemporal(): Promise<void>;
  /** Throws when the database does not answer. */
  checkDatabase(): Promise<void>;
}

const checkSchema = z.object({
  ok: z.boolean().meta({ description: 'Whether it answered within 3 seconds.' }),
  error: z.string().optional().meta({ description: 'Why not, when it did not: the first line of the underlying error.' }),
});
const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']).meta({ description: '`ready` (200) when both answer, else `not_ready` (503).' }),
    checks: z
      .object({
        temporal: checkSchema.meta({ description: "Temporal's frontend, asked for the API's namespace." }),
        database: checkSchema.meta({ description: 'PostgreSQL, asked for `select 1`.' }),
      })
      .meta({ description: 'Each dependency: `ok: false` names the one that is down (both may be).' }),
  })
  .meta({ id: 'Readiness' });

const CHECK_TIMEOUT_MS = 3000;

/**
 * The message of the innermost cause: drizzle's "Failed query: select 1" says nothing, the
 * driver's "connect ECONNREFUSED 127.0.0.1:5432" below it does.
 */
function rootMessage(err: unknown): string {
  let message = '';
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth += 1) {
    if (e.message) message = e.message;
  }
  return message;
}

async function probe(check: () => Promise<void>): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: rootMessage(err).split('\n')[0] || 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod<HealthDeps> = async (app, deps) => {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'health',
        summary: 'Liveness: the process is up',
        description: 'Needs no key and touches nothing else: a process that answers is alive. Whether it can work is `/ready`.',
        tags: ['operations'],
        response: { 200: response(z.object({ status: z.literal('ok') }), 'The process is up.', examples.health) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        operationId: 'ready',
        summary: 'Readiness: Temporal and the database are reachable',
        description:
          'Needs no key. Asks Temporal for the namespace and the database for a trivial query, each within 3 seconds; `checks` says which one is down and why. For a load balancer or an orchestrator: take the instance out of rotation while this is 503, not restart it (it reconnects by itself).',
        tags: ['operations'],
        response: {
          200: response(readinessSchema, 'Both answer: the API can take requests.', examples.ready),
          503: response(
            readinessSchema,
            'Temporal, the database or both do not answer: the check with `ok: false` names it and `error` says why. Requests that need it answer 503 `UNAVAILABLE` with `Retry-After` until it is back; nothing needs a restart.',
            examples.notReady,
          ),
        },
      },
    },
    async (request, reply) => {
      const [temporal, database] = await Promise.all([probe(deps.checkTemporal), probe(deps.checkDatabase)]);
      const ready = temporal.ok && database.ok;
      if (!ready) request.log.warn({ temporal, database }, 'not ready');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { temporal, database } });
    },
  );
};
