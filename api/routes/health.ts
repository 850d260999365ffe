import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

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
        tags: ['operations'],
        response: { 200: z.object({ status: z.literal('ok') }) },
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
        tags: ['operations'],
        response: { 200: readinessSchema, 503: readinessSchema },
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
