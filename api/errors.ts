// One place maps every error to an application/problem+json body with a stable `code`.
// Domain errors carry a literal code; the table below gives each its HTTP status.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Dependency, unavailableDependency } from './unavailable.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const STATUS_BY_CODE = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

/** An error the API reports as-is: the message is meant for the caller. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { retryAfterSeconds?: number; errors?: Problem['errors'] } = {},
  ) {
    super(message);
  }
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The problem document for `code`: what `sendProblem` sends, and what the API docs show. */
export function problemBody(code: ErrorCode, detail: string, requestId: string, errors?: Problem['errors']): Problem {
  const status = STATUS_BY_CODE[code];
  return {
    type: `urn:o2c:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    requestId,
    ...(errors ? { errors } : {}),
  };
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  code: ErrorCode,
  detail: string,
  errors?: Problem['errors'],
): FastifyReply {
  const body = problemBody(code, detail, request.id, errors);
  // Sent as a string: error bodies bypass the route's response schema.
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Fastify's own client-side errors, by their FST_ code. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

/** How long a caller waits before trying again while a service the API needs is down. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** What the caller is told while `dependency` cannot be reached. */
export const UNAVAILABLE_DETAIL: Record<Dependency, string> = {
  database: 'The database is not reachable; retry shortly.',
  temporal: 'Temporal is not reachable; retry shortly.',
};

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      if (error.extra.retryAfterSeconds !== undefined) {
        reply.header('retry-after', String(error.extra.retryAfterSeconds));
      }
      return sendProblem(reply, request, error.code, error.message, error.extra.errors);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request';
      const errors = error.validation.map((issue) => ({
        path: [where, ...String(issue.instancePath).split('/').filter(Boolean)].join('.'),
        message: issue.message ?? 'is invalid',
      }));
      return sendProblem(reply, request, 'VALIDATION_FAILED', `The ${where} is invalid.`, errors);
    }
    const fastifyCode = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (fastifyCode) return sendProblem(reply, request, fastifyCode, error.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, request, 'VALIDATION_FAILED', error.message);
    }
    // An outage, not a bug: the same request succeeds once the service is back.
    const down = unavailableDependency(error);
    if (down) {
      request.log.warn({ err: error, unavailable: down }, `${down} unavailable`);
      reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return sendProblem(reply, request, 'UNAVAILABLE', UNAVAILABLE_DETAIL[down]);
    }
    // Anything else is ours: log it whole, tell the caller nothing internal.
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, 'INTERNAL', 'An internal error occurred; quote the request ID when reporting it.');
  });

  // A path the API serves, asked with a method it does not take, is 405 with `Allow` (RFC 9110),
  // not 404: the resource is there. Answered on the request, before any body is read, so a
  // method that carries one (QUERY) is not refused for its content type instead.
  const methodsByPath: Array<{ path: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    const path = routePattern(route.url ?? route.path);
    let entry = methodsByPath.find((e) => e.path.source === path.source);
    if (!entry) methodsByPath.push((entry = { path, methods: [] }));
    for (const method of [route.method].flat()) if (!entry.methods.includes(method)) entry.methods.push(method);
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0]!;
    const allowed = methodsByPath.find((e) => e.path.test(path))?.methods;
    if (!allowed || allowed.includes(request.method)) return;
    reply.header('allow', allowed.join(', '));
    throw new DomainError('METHOD_NOT_ALLOWED', `${path} does not take ${request.method}; it takes ${allowed.join(', ')}.`);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
}

/** A route's URL as the router matches it: `:name` is one path segment, `*` the rest. */
function routePattern(url: string): RegExp {
  const pattern = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}
