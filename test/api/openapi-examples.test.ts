// The examples /docs shows are requests that work. This reads /openapi.json only, as a newcomer
// in Swagger UI would: every route must document a summary, a description and an example, every
// response a description and an example body; then it sends each step of `x-example-sequence`,
// in order, and gets the documented status and a body that fits the documented schema. It runs
// on the time-skipping server, so a step that waits for the order's timers (the write-off, in
// collections weeks after the due date) skips that time instead of waiting for it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { UNAVAILABLE_DETAIL } from '../../api/errors.js';
import { startTimeSkippingServer } from '../helpers/temporal.js';
import { DAY } from '../workflows/order/harness.js';
import { type ApiHarness, useApi } from './harness.js';

interface ExampleObject {
  summary?: string;
  value: unknown;
}
interface Media {
  schema: object;
  examples?: Record<string, ExampleObject>;
}
interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  'x-roles'?: Array<'service' | 'finance' | 'operator'>;
  parameters?: Array<{ in: 'path' | 'query'; name: string; required?: boolean; examples?: Record<string, ExampleObject> }>;
  requestBody?: { content: Record<string, Media> };
  responses: Record<
    string,
    { description?: string; content?: Record<string, Media>; headers?: Record<string, { required?: boolean; schema: object }> }
  >;
}
interface Step {
  operationId: string;
  example: string;
  status: number;
  afterDays?: number;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
  'x-example-sequence'?: Step[];
}

let h!: ApiHarness;
useApi(startTimeSkippingServer, (harness) => (h = harness));

let spec: Spec;
let operations: Array<{ method: string; path: string; op: Operation }>;
beforeAll(async () => {
  const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode, res.body).toBe(200);
  spec = res.json();
  operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
});

const sequence = (): Step[] => spec['x-example-sequence'] ?? [];
const named = (method: string, path: string) => `${method} ${path}`;

function operation(operationId: string) {
  const found = operations.find((o) => o.op.operationId === operationId);
  if (!found) throw new Error(`the sequence names operation ${operationId}, which the document lacks`);
  return found;
}

/** The request an example names: its path and query parameters and its body, from the document. */
function exampleRequest(path: string, op: Operation, example: string) {
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = op.parameters?.find((p) => p.in === 'path' && p.name === name);
    const value = param?.examples?.[example]?.value;
    if (typeof value !== 'string') throw new Error(`path parameter ${name} has no example "${example}"`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const param of op.parameters ?? []) {
    const value = param.in === 'query' ? param.examples?.[example]?.value : undefined;
    if (value !== undefined) query.set(param.name, String(value));
  }
  const media = op.requestBody?.content['application/json'];
  const body = media?.examples?.[example];
  if (op.requestBody && !body) throw new Error(`the body has no example "${example}"`);
  return { url: query.size > 0 ? `${url}?${query}` : url, body: body?.value };
}

describe('the OpenAPI document', () => {
  it('gives every route a summary, a description and a step of the example sequence', () => {
    expect(sequence().length).toBeGreaterThan(0);
    for (const { method, path, op } of operations) {
      const where = named(method, path);
      expect(op.summary?.trim(), `${where} has no summary`).toBeTruthy();
      expect(op.description?.trim(), `${where} has no description`).toBeTruthy();
      expect(
        sequence().some((step) => step.operationId === op.operationId),
        `${where} has no example in x-example-sequence`,
      ).toBe(true);
    }
  });

  it('has, for each step, an example of every path parameter and of the body', () => {
    for (const step of sequence()) {
      const { path, op } = operation(step.operationId);
      expect(() => exampleRequest(path, op, step.example), `${step.operationId} "${step.example}"`).not.toThrow();
      expect(op.responses[String(step.status)], `${step.operationId} documents no ${step.status}`).toBeDefined();
    }
  });

  it('describes every response and shows an example of its body', () => {
    for (const { method, path, op } of operations) {
      for (const [status, res] of Object.entries(op.responses)) {
        const where = `${named(method, path)} ${status}`;
        expect(res.description?.trim(), `${where} has no description`).toBeTruthy();
        expect(res.description, where).not.toBe('Default Response');
        const media = Object.values(res.content ?? {});
        expect(media.length, `${where} has no body`).toBeGreaterThan(0);
        for (const m of media) expect(Object.keys(m.examples ?? {}).length, `${where} has no example`).toBeGreaterThan(0);
      }
    }
  });

  it('documents errors as application/problem+json, each example with its real status', () => {
    for (const { method, path, op } of operations.filter((o) => o.path !== '/ready')) {
      for (const [status, res] of Object.entries(op.responses).filter(([s]) => Number(s) >= 400)) {
        const where = `${named(method, path)} ${status}`;
        expect(Object.keys(res.content ?? {}), where).toEqual(['application/problem+json']);
        for (const example of Object.values(res.content!['application/problem+json']!.examples ?? {})) {
          expect(example.value, where).toMatchObject({ status: Number(status), code: expect.stringMatching(/^[A-Z_]+$/) });
        }
      }
    }
  });

  it('documents, on every route behind a key, the 503 it answers while the database is down', () => {
    // The key itself is read from the database, so every such route needs it.
    for (const { method, path, op } of operations.filter((o) => o.op['x-roles'])) {
      const examples = Object.values(op.responses['503']?.content?.['application/problem+json']?.examples ?? {});
      expect(
        examples.map((e) => (e.value as { detail?: string }).detail),
        `${named(method, path)} 503`,
      ).toContain(UNAVAILABLE_DETAIL.database);
    }
  });

  it("fits every example to its schema", () => {
    const validate = validatorFor();
    for (const { method, path, op } of operations) {
      for (const [status, res] of Object.entries(op.responses)) {
        for (const media of Object.values(res.content ?? {})) {
          for (const [name, example] of Object.entries(media.examples ?? {})) {
            expect(validate(media.schema, example.value), `${named(method, path)} ${status} "${name}"`).toEqual([]);
          }
        }
      }
      for (const media of Object.values(op.requestBody?.content ?? {})) {
        for (const [name, example] of Object.entries(media.examples ?? {})) {
          expect(validate(media.schema, example.value), `${named(method, path)} body "${name}"`).toEqual([]);
        }
      }
    }
  });
});

/** Validates a value against a schema of the document, its `$ref`s resolved in the document. */
function validatorFor() {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'urn:o2c:openapi', components: spec.components });
  return (schema: object, value: unknown): string[] => {
    const rooted = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"urn:o2c:openapi#/components/'));
    const check = ajv.compile(rooted);
    return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

it('answers each example request with its documented status, in the documented order', async () => {
  const validate = validatorFor();
  for (const [index, step] of sequence().entries()) {
    if (step.afterDays) await h.env.sleep(step.afterDays * DAY);
    const { method, path, op } = operation(step.operationId);
    const { url, body } = exampleRequest(path, op, step.example);
    const role = op['x-roles']?.[0];
    const res = await h.app.inject({
      method: method as 'GET',
      url,
      headers: role ? { authorization: `Bearer ${h.keys[role].secret}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    });
    const where = `step ${index + 1}: ${method} ${url} ("${step.example}"${role ? ` as ${role}` : ''})`;
    expect(res.statusCode, `${where} answered ${res.body}`).toBe(step.status);
    const documented = op.responses[String(step.status)]!.content!;
    const [mediaType, media] = Object.entries(documented)[0]!;
    expect(res.headers['content-type'], where).toContain(mediaType);
    expect(validate(media.schema, res.json()), `${where}: the body does not fit the documented schema`).toEqual([]);
    const headers = op.responses[String(step.status)]!.headers ?? {};
    expect(Object.keys(headers), where).toContain('x-request-id');
    for (const [name, header] of Object.entries(headers)) {
      expect(header.required, `${where}: ${name}`).toBe(true);
      expect(res.headers[name], `${where}: no ${name} header`).toEqual(expect.any(String));
      expect(validate(header.schema, res.headers[name]), `${where}: ${name} does not fit the documented schema`).toEqual([]);
    }
  }
}, 180_000);

it('documents the headers problems always carry: WWW-Authenticate on 401, Retry-After on 429 and 503', () => {
  for (const { method, path, op } of operations) {
    for (const [status, res] of Object.entries(op.responses)) {
      const names = Object.keys(res.headers ?? {});
      const where = `${named(method, path)} ${status}`;
      expect(names, where).toContain('x-request-id');
      if (status === '401') expect(names, where).toContain('www-authenticate');
      if (status === '429' || (status === '503' && res.content?.['application/problem+json'])) expect(names, where).toContain('retry-after');
    }
  }
});
