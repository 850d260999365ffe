// The OpenAPI document at /openapi.json. fastify-type-provider-zod turns the routes' zod schemas
// into JSON Schema; this carries over what it leaves where @fastify/swagger cannot use it:
//  - named examples, kept in zod metadata under `x-examples` (see `withExamples`, `response`):
//    zod writes them beside the `$ref` of a named schema, where @fastify/swagger drops them, so
//    they are moved onto the parameters, the request body and each response's media type;
//  - problem responses are sent as application/problem+json (`sendProblem`), so the document
//    says so instead of application/json;
//  - the headers every response sends (`x-request-id`, and `Location`, `WWW-Authenticate`,
//    `Retry-After` where they are always sent), so tools can check them;
//  - the order the examples run in, for people (the top of /docs) and for tools
//    (`x-example-sequence` at the document's root).
// Every example is checked against the zod schema it documents when the document is built.
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, PROBLEM_CONTENT_TYPE, type Problem, problemBody, problemSchema } from './errors.js';

/** One named example, as OpenAPI's Example Object has it. */
export interface Example<T> {
  summary: string;
  description?: string;
  value: T;
}
export type Examples<T> = Record<string, Example<T>>;

const EXAMPLES = 'x-examples';
/** Where the body's examples wait, on the operation, until the document is assembled. */
const BODY_EXAMPLES = 'x-body-examples';
const JSON_CONTENT_TYPE = 'application/json';

/** The schema, with named examples of what a caller sends (parameters, query or body). */
export function withExamples<S extends z.ZodType>(schema: S, examples: Examples<z.input<S>>): S {
  return schema.meta({ [EXAMPLES]: examples });
}

/** Where a response says a `Location` header points, when it sends one. */
const LOCATION = 'x-location';

/**
 * A response schema with what the status means and named examples of its body; `location`
 * describes the `Location` header, for a response that always sends one.
 */
export function response<S extends z.ZodType>(
  schema: S,
  description: string,
  examples: Examples<z.output<S>>,
  options: { location?: string } = {},
): S {
  return schema.meta({ description, [EXAMPLES]: examples, ...(options.location ? { [LOCATION]: options.location } : {}) });
}

/**
 * The headers a response always sends, as @fastify/swagger takes them (a JSON Schema with its
 * description); `openApiTransformObject` marks each required. Patterns, not integers, because a
 * header's value is text.
 */
function responseHeaders(status: string, problem: boolean, location: string | undefined): Json {
  const headers: Json = {
    'x-request-id': {
      description: "The request's ID, also in a problem's `requestId`: the caller's own when it sent a plain one, else a new UUID.",
      type: 'string',
      pattern: '^[A-Za-z0-9._:-]{1,128}$',
    },
  };
  if (location) headers.location = { description: location, type: 'string', pattern: '^/' };
  if (status === '401') headers['www-authenticate'] = { description: 'The scheme the API takes: `Bearer`.', type: 'string', pattern: '^Bearer' };
  if (status === '429' || (status === '503' && problem)) {
    headers['retry-after'] = { description: 'Seconds to wait before trying again.', type: 'string', pattern: '^\\d+$' };
  }
  return headers;
}

/** What an error status of a route means, with an example body for each code it comes with. */
export interface ProblemDoc {
  /** Defaults to what the status means on any route. */
  description?: string;
  examples: Examples<Problem>;
}

/** The request ID every problem example shows. */
const EXAMPLE_REQUEST_ID = '3047c94b-12f8-4ee2-bd0f-0817b2097120';

/** An example problem body, exactly as `sendProblem` sends it for `code`. */
export function problemExample(summary: string, code: ErrorCode, detail: string, errors?: Problem['errors']): Example<Problem> {
  return { summary, value: problemBody(code, detail, EXAMPLE_REQUEST_ID, errors) };
}

/** What each error status means wherever it is sent, with its codes. */
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: '`VALIDATION_FAILED`: the request does not fit the schema; `errors` lists each problem with its path. `MALFORMED_JSON`: the body is not JSON.',
  401: '`UNAUTHORIZED`: no API key, or one that is unknown or revoked.',
  403: "`FORBIDDEN`: the key's role may not use this route; `detail` names the roles that may.",
  404: '`NOT_FOUND`: what the path names does not exist.',
  409: "`CONFLICT`: the request does not fit the order's state, or the order has closed.",
  413: '`PAYLOAD_TOO_LARGE`: the body is over 256 KiB.',
  415: '`UNSUPPORTED_MEDIA_TYPE`: the body is not `application/json`.',
  422: '`UNPROCESSABLE`: the request fits the schema but can never succeed on this order.',
  429: '`TOO_MANY_REQUESTS`, after `Retry-After` seconds: either the engine is serving as many requests as it can (nothing was done), or the order has too many requests in flight (the request may still take effect: read the order before repeating it).',
  503: '`UNAVAILABLE`: the database or Temporal is unreachable (`detail` names it; `/ready` says which is down), or the order did not answer in time; try again after `Retry-After` seconds. After an update the request may still have taken effect: read the order before repeating it.',
};

/** Response schemas for a route's error statuses: Problem bodies, with their examples. */
export function problemResponses(docs: Record<number, ProblemDoc>): Record<number, typeof problemSchema> {
  return Object.fromEntries(
    Object.entries(docs).map(([key, doc]) => {
      const status = Number(key);
      for (const [name, example] of Object.entries(doc.examples)) {
        if (example.value.status !== status) {
          throw new Error(`problem example "${name}" is ${example.value.code} (${example.value.status}), documented under ${status}`);
        }
      }
      const description = doc.description ?? PROBLEM_DESCRIPTIONS[status];
      if (!description) throw new Error(`no description for a ${status} problem`);
      return [status, response(problemSchema, description, doc.examples)];
    }),
  );
}

/** One step of the example sequence: send `example` of operation `operationId`, get `status`. */
export interface ExampleStep {
  operationId: string;
  example: string;
  status: number;
  /** Days that must pass (on the order's timers) before this step can succeed. */
  afterDays?: number;
  /** What the step shows, for the list at the top of /docs. */
  note: string;
}

type Json = Record<string, any>;

function examplesOf(schema: unknown): Examples<unknown> | undefined {
  if (!(schema instanceof z.ZodType)) return undefined;
  return z.globalRegistry.get(schema)?.[EXAMPLES] as Examples<unknown> | undefined;
}

/** The examples of a request part or response, each checked against the schema it shows. */
function checkedExamples(schema: unknown, io: 'input' | 'output', where: string): Examples<unknown> | undefined {
  const examples = examplesOf(schema);
  if (!examples) return undefined;
  for (const [name, example] of Object.entries(examples)) {
    const zod = schema as z.ZodType;
    const result = io === 'input' ? zod.safeParse(example.value) : z.safeEncode(zod, example.value as never);
    if (!result.success) {
      throw new Error(`example "${name}" of ${where} does not fit its schema: ${z.prettifyError(result.error)}`);
    }
  }
  return examples;
}

/** The examples of whole parameter objects, split into examples of each parameter. */
function spreadOverParameters(json: Json, examples: Examples<unknown>): void {
  delete json[EXAMPLES];
  for (const [name, property] of Object.entries<Json>(json.properties ?? {})) {
    const own = Object.entries(examples).flatMap(([exampleName, example]) => {
      const value = (example.value as Json)[name];
      return value === undefined ? [] : [[exampleName, { summary: example.summary, value }] as const];
    });
    if (own.length > 0) property[EXAMPLES] = Object.fromEntries(own);
  }
}

function mediaType(json: Json): string {
  return json.$ref === '#/components/schemas/Problem' ? PROBLEM_CONTENT_TYPE : JSON_CONTENT_TYPE;
}

/** The route's schema as fastify-type-provider-zod documents it, with the examples in place. */
export const openApiTransform: SwaggerTransform = (document) => {
  const result = jsonSchemaTransform(document);
  const source = document.schema as Json | undefined;
  const schema = result.schema as Json;
  if (!source || schema.hide) return result;
  const where = `${document.route.method} ${document.url}`;

  for (const part of ['params', 'querystring'] as const) {
    const examples = checkedExamples(source[part], 'input', `${where} ${part}`);
    if (examples && schema[part]) spreadOverParameters(schema[part], examples);
  }

  const bodyExamples = checkedExamples(source.body, 'input', `${where} body`);
  if (bodyExamples && schema.body) {
    delete schema.body[EXAMPLES];
    schema[BODY_EXAMPLES] = bodyExamples;
  }

  for (const [status, json] of Object.entries<Json>(schema.response ?? {})) {
    if (json.content) continue;
    const examples = checkedExamples(source.response?.[status], 'output', `${where} ${status} response`);
    const { description, [EXAMPLES]: _examples, [LOCATION]: location, ...body } = json;
    const media = mediaType(body);
    // The content form: @fastify/swagger keeps what its media type holds, examples included.
    schema.response[status] = {
      ...(description ? { description } : {}),
      headers: responseHeaders(status, media === PROBLEM_CONTENT_TYPE, location),
      content: { [media]: { schema: body, ...(examples ? { examples } : {}) } },
    };
  }
  return result;
};

function tourMarkdown(document: Json, sequence: readonly ExampleStep[]): string {
  if (sequence.length === 0) return '';
  const operations = new Map<string, { method: string; path: string; roles?: string[] }>();
  for (const [path, item] of Object.entries<Json>(document.paths ?? {})) {
    for (const [method, op] of Object.entries<Json>(item)) {
      if (op?.operationId) operations.set(op.operationId, { method: method.toUpperCase(), path, roles: op['x-roles'] });
    }
  }
  const lines = sequence.map((step, i) => {
    const op = operations.get(step.operationId);
    const call = op ? `\`${op.method} ${op.path}\`` : step.operationId;
    const as = op?.roles ? ` as ${op.roles[0]}` : '';
    const after = step.afterDays ? `, ${step.afterDays} days later` : '';
    return `${i + 1}. ${call}, example \`${step.example}\`${as}${after}: ${step.status}. ${step.note}`;
  });
  return [
    '## Try it out',
    'Each route carries examples that work on a fresh `npm start`, in this order. Authorize with the key of the role a step names (`data/api-keys.json`); `x-example-sequence` lists the same steps for tools.',
    '',
    ...lines,
  ].join('\n');
}

/** The document as fastify-type-provider-zod assembles it, with the body examples and the sequence. */
export function openApiTransformObject(sequence: readonly ExampleStep[]): SwaggerTransformObject {
  return (documentObject) => {
    const document = jsonSchemaTransformObject(documentObject) as Json;
    for (const item of Object.values<Json>(document.paths ?? {})) {
      for (const op of Object.values<Json>(item)) {
        // Every header the document names is one the response always sends.
        for (const res of Object.values<Json>(op?.responses ?? {})) {
          for (const header of Object.values<Json>(res.headers ?? {})) header.required = true;
        }
        const examples = op?.[BODY_EXAMPLES];
        if (!examples) continue;
        delete op[BODY_EXAMPLES];
        for (const media of Object.values<Json>(op.requestBody?.content ?? {})) media.examples = examples;
      }
    }
    document.info = {
      ...document.info,
      description: [document.info?.description, tourMarkdown(document, sequence)].filter(Boolean).join('\n\n'),
    };
    document['x-example-sequence'] = sequence;
    return document;
  };
}
