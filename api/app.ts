// The HTTP front door as a Fastify plugin: `buildApp` is what the servers listen with
// and what tests drive through `inject`. It holds no business rule; routes start
// workflows and talk to them.
import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { DatabaseHandle } from '../db/client.js';
import { registerErrorHandling } from './errors.js';
import { healthRoutes } from './routes/health.js';

export interface AppDeps {
  temporal: Client;
  namespace: string;
  database: Pick<DatabaseHandle, 'db' | 'ping'>;
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
        description: 'Starts order workflows and reports shipments, payments and finance decisions to them.',
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, {
    checkTemporal: async () => {
      await deps.temporal.connection.workflowService.describeNamespace({ namespace: deps.namespace });
    },
    checkDatabase: () => deps.database.ping(),
  });
};

export interface BuildAppOptions {
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Honour the caller's request ID so one ID follows a request across services.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: 256 * 1024,
    return503OnClosing: true,
  });
  await app.register(apiPlugin, deps);
  await app.ready();
  return app;
}
