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

const checkSchema = z.object({ ok: z.boolean(), error: z.string().optional() });
const readinessSchema = z
  .object({ status: z.enum(['ready', 'not_ready']), checks: z.object({ temporal: checkSchema, database: checkSchema }) })
  .meta({ id: 'Readiness' });

const CHECK_TIMEOUT_MS = 3000;

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
    return { ok: false, error: (err as Error).message.split('\n')[0] ?? 'unreachable' };
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
        description: "Needs no key. Asks Temporal for the namespace and the database for a trivial query, each within 3 seconds; `checks` says which one failed and why.",
        tags: ['operations'],
        response: {
          200: response(readinessSchema, 'Both answer: the API can take requests.', examples.ready),
          503: response(readinessSchema, 'One of them does not answer; `error` says why.', examples.notReady),
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
