// Hostile input at every route, found by walking the API's own OpenAPI document
// (/openapi.json): every field of every body, query and path gets NUL and other control
// characters, unpaired surrogates, over-long text, out-of-range and impossible dates and times,
// and zero, negative, fractional, huge and non-numeric amounts. Each request is one valid
// request (the route's example, every optional field filled in, aimed at the test's own
// customer and orders) with one field made hostile. Every answer must be a 4xx problem naming
// that field, never a 5xx; and nothing may change: not a row of the database, not an order.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect, it } from 'vitest';
import { orderWorkflowId } from '../../workflows/order/contract.js';
import {
  type Answer,
  Attack,
  type OwnDatabase,
  type Stack,
  atRest,
  auditBooks,
  createCustomer,
  createOrders,
  inPool,
  orderBody,
  report,
  shipOrders,
  statusIs,
  uid,
  untilAnswered,
  useOwnStack,
} from './harness.js';

let database: OwnDatabase;
let stack: Stack;

useOwnStack((own) => {
  stack = own;
  database = own.database;
});

// ---- the document ------------------------------------------------------------------------

type Schema = {
  type?: string;
  $ref?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  pattern?: string;
  allOf?: Schema[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
};

interface Operation {
  operationId: string;
  method: string;
  path: string;
  roles: string[];
  parameters: Array<{ name: string; in: 'path' | 'query'; schema: Schema; required?: boolean }>;
  body: Schema | null;
  bodyExample: Record<string, unknown> | null;
}

function operations(doc: any): Operation[] {
  const deref = (s: Schema): Schema => {
    if (s.$ref) return deref(doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]);
    const out: any = { ...s };
    if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, deref(v)]));
    if (s.items) out.items = deref(s.items);
    if (s.allOf) out.allOf = s.allOf.map(deref);
    return out;
  };
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const content = op.requestBody?.content?.['application/json'];
      return {
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        roles: op['x-roles'] ?? [],
        parameters: (op.parameters ?? []).map((p: any) => ({ ...p, schema: deref(p.schema) })),
        body: content ? deref(content.schema) : null,
        bodyExample: content?.examples ? (Object.values(content.examples)[0] as any).value : null,
      };
    }),
  );
}

// ---- what a field is, and valid and hostile values for it ----------------------------------

type Kind = 'text' | 'enum' | 'datetime' | 'date' | 'integer' | 'email' | 'digits';

const IDENTIFIER = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$';

function kindOf(s: Schema): Kind {
  if (s.enum) return 'enum';
  if (s.type === 'integer' || s.type === 'number') return 'integer';
  const patterns = [s.pattern, ...(s.allOf ?? []).map((a) => a.pattern)].filter(Boolean) as string[];
  if (patterns.some((p) => p.includes('T(?:'))) return 'datetime';
  if (patterns.some((p) => p.startsWith('^20\\d{2}-'))) return 'date';
  if (s.format === 'email') return 'email';
  if (patterns.includes('^\\d{1,6}$')) return 'digits';
  return 'text';
}

/** A valid value for a field the example leaves out (or a path or query parameter). */
function validValue(name: string, s: Schema): unknown {
  if (s.type === 'object') return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, validValue(k, v)]));
  if (s.type === 'array') return [validValue(name, s.items!)];
  switch (kindOf(s)) {
    case 'enum':
      return s.enum![0];
    case 'integer':
      return Math.max(s.minimum ?? 1, 1);
    case 'datetime':
      return '2026-11-23T09:30:00Z';
    case 'date':
      return '2026-12-15';
    case 'email':
      return 'ap@example.com';
    case 'digits':
      return '1';
    default:
      if (s.pattern === IDENTIFIER) return uid(name);
      if (s.pattern === '^[A-Z]{3}$') return 'USD';
      return `valid ${name}`;
  }
}

/** Refused in any text: NUL and the other C0 controls, DEL, C1 controls, unpaired surrogates. */
const CONTROL_TEXT: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['U+0001', '\u0001'],
  ['escape', 'a\u001b[31mb'],
  ['carriage return', 'a\rb'],
  ['vertical tab', 'a\u000bb'],
  ['DEL', 'a\u007fb'],
  ['C1 NEL', 'a\u0085b'],
  ['C1 U+009F', 'a\u009fb'],
  ['unpaired high surrogate', 'a\ud800b'],
  ['unpaired low surrogate', 'a\udc00b'],
];

interface Hostile {
  what: string;
  value?: unknown;
  /** JSON text to send for the value, where JSON.stringify cannot write it. */
  rawJson?: string;
}

function hostileValues(s: Schema): Hostile[] {
  const kind = kindOf(s);
  const text = CONTROL_TEXT.map(([what, value]) => ({ what, value }));
  switch (kind) {
    case 'integer': {
      const out: Hostile[] = [];
      const min = s.minimum ?? Number.MIN_SAFE_INTEGER;
      const max = s.maximum ?? Number.MAX_SAFE_INTEGER;
      if (min > 0) out.push({ what: 'zero', value: 0 });
      if (min >= 0) out.push({ what: 'negative', value: -1 }, { what: 'hugely negative', value: -1_000_000_000_000_000 });
      out.push(
        { what: 'one over the maximum', value: max + 1 },
        { what: '2^53 + 1', rawJson: '9007199254740993' },
        { what: '1e300', value: 1e300 },
        { what: '1e400 (infinity)', rawJson: '1e400' },
        { what: 'a fraction', value: 1.5 },
        { what: 'a numeric string', value: '100' },
        { what: 'null', value: null },
      );
      return out;
    }
    case 'datetime':
      return [
        ...text.slice(0, 2).map((h) => ({ ...h, value: `2026-11-23T09:30:00${h.value}Z` })),
        { what: 'before 2000', value: '1999-12-31T23:59:59Z' },
        { what: 'after 2099', value: '2100-01-01T00:00:00Z' },
        { what: 'year 0', value: '0000-01-01T00:00:00Z' },
        { what: 'year 275760', value: '+275760-09-13T00:00:00.000Z' },
        { what: '30 February', value: '2026-02-30T10:00:00Z' },
        { what: 'hour 24', value: '2026-11-23T24:00:00Z' },
        { what: 'not UTC', value: '2026-11-23T09:30:00+01:00' },
        { what: 'no zone', value: '2026-11-23T09:30:00' },
        { what: 'a number', value: 1_700_000_000_000 },
      ];
    case 'date':
      return [
        ...text.slice(0, 2).map((h) => ({ ...h, value: `2026-12-15${h.value}` })),
        { what: 'before 2000', value: '1999-12-31' },
        { what: 'after 2099', value: '2100-01-01' },
        { what: 'year 0', value: '0000-01-01' },
        { what: 'year 275760', value: '+275760-09-13' },
        { what: '30 February', value: '2026-02-30' },
        { what: 'a time', value: '2026-12-15T00:00:00Z' },
      ];
    case 'digits':
      return [...text.slice(0, 3), { what: 'negative', value: '-1' }, { what: 'huge', value: '99999999999999999999' }, { what: 'exponent', value: '1e3' }, { what: 'empty', value: '' }];
    case 'enum':
      return [...text.slice(0, 2).map((h) => ({ ...h, value: `${s.enum![0]}${h.value}` })), { what: 'not one of them', value: 'nonsense' }];
    default:
      return [
        ...text,
        ...(s.maxLength ? [{ what: `${s.maxLength + 1} characters`, value: 'x'.repeat(s.maxLength + 1) }] : []),
        { what: 'a number', value: 12345 },
      ];
  }
}

/** Every leaf field of a body schema: its path (array items as index 0) and schema. */
function leaves(s: Schema, at: string[] = []): Array<{ path: string[]; schema: Schema }> {
  if (s.type === 'object') return Object.entries(s.properties ?? {}).flatMap(([k, v]) => leaves(v, [...at, k]));
  if (s.type === 'array') return leaves(s.items!, [...at, '0']);
  return [{ path: at, schema: s }];
}

function setAt(body: any, path: string[], value: unknown): any {
  const copy = structuredClone(body);
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path.at(-1)!] = value;
  return copy;
}

// ---- the fixtures: the test's own customer and orders -------------------------------------

interface Fixtures {
  customerId: string;
  pending: string;
  held: string;
  invoiced: string;
  disputeId: string;
}

async function fixtures(): Promise<Fixtures> {
  const setup = new Attack('fixtures');
  const customerId = await createCustomer(stack.api);
  const [pending, invoiced] = await createOrders(stack.api, setup, customerId, 2);
  await shipOrders(stack.api, setup, [invoiced!]);
  const disputeId = uid('dsp');
  const disputed = await untilAnswered(setup, () =>
    stack.api.call('finance', 'POST', `/orders/${invoiced}/disputes`, { disputeId, amountMinor: 1_000, reason: 'one widget scratched' }),
  );
  if (disputed.status !== 200) throw new Error(`dispute: ${disputed.status} ${disputed.text}`);
  // A customer whose limit the order exceeds, but not by half: the order is held for finance.
  const small = uid('cust');
  await stack.api.call('service', 'POST', '/customers', { customerId: small, name: 'Small', currency: 'USD', creditLimitMinor: 120_000, paymentTermsDays: 30 });
  const held = uid('ord');
  const placed = await untilAnswered(setup, () => stack.api.call('service', 'POST', '/orders', orderBody(held, small)));
  if (placed.status !== 201 || placed.body.status !== 'credit_hold') throw new Error(`held order: ${placed.status} ${placed.text}`);
  return { customerId, pending: pending!, held, invoiced: invoiced!, disputeId };
}

/** The order each route's requests aim at: the one it could change. */
function targetOrder(op: Operation, f: Fixtures): string {
  if (op.operationId === 'decideCredit') return f.held;
  if (['recordShipment', 'cancelOrder', 'getOrder'].includes(op.operationId)) return f.pending;
  return f.invoiced;
}

/** The route's valid request: the example with every optional field filled in, IDs the test's own. */
function baseline(op: Operation, f: Fixtures): { params: Record<string, string>; query: Record<string, string>; body: any } {
  const params: Record<string, string> = {};
  const query: Record<string, string> = {};
  for (const p of op.parameters) {
    if (p.in === 'path') params[p.name] = p.name === 'orderId' ? targetOrder(op, f) : p.name === 'disputeId' ? f.disputeId : p.name === 'customerId' ? f.customerId : String(validValue(p.name, p.schema));
    else if (p.name === 'customerId') query[p.name] = f.customerId;
    // A cursor is one the API handed out; the hostile ones are sent without a valid one.
    else if (p.name !== 'cursor') query[p.name] = String(validValue(p.name, p.schema));
  }
  let body: any = null;
  if (op.body) {
    body = { ...(validValue('body', op.body) as object), ...(op.bodyExample ?? {}) };
    // The test's own IDs: its customer, its order's lines, fresh IDs for what a request creates.
    const ids = (node: any, key?: string): any => {
      if (Array.isArray(node)) return node.map((n) => ids(n));
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, ids(v, k)]));
      // A new customer's ID is fresh; an order is for the test's customer.
      if (key === 'customerId') return op.operationId === 'createCustomer' ? uid('cust') : f.customerId;
      if (key === 'lineId') return 'l1';
      if (key === 'orderId' || key === 'shipmentId' || key === 'paymentReference' || key === 'disputeId') return uid(key);
      if (key === 'quantity') return 1;
      return node;
    };
    body = ids(body);
    if (op.operationId === 'createOrder') body.lines = [{ ...body.lines[0], lineId: 'l1' }];
    if (op.operationId === 'recordShipment') body.lines = [{ lineId: 'l1', quantity: 1 }];
  }
  return { params, query, body };
}

/** Percent-encoding that also writes an unpaired surrogate, as WTF-8 would (encodeURIComponent throws). */
function encode(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

function url(op: Operation, params: Record<string, string>, query: Record<string, string>, raw: Record<string, string> = {}): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => raw[name] ?? encode(params[name]!));
  const qs = Object.entries(query).map(([k, v]) => `${k}=${raw[`?${k}`] ?? encode(v)}`);
  return qs.length > 0 ? `${path}?${qs.join('&')}` : path;
}

// ---- nothing changed ---------------------------------------------------------------------

/** Every table of the test's database: its row count and a digest of its rows. */
async function snapshot(): Promise<Record<string, string>> {
  const tables = await database.sql<Array<{ name: string }>>`
    select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await database.sql.unsafe(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from "${name}" t`);
    out[name] = `${row!.n} ${row!.h}`;
  }
  return out;
}

/** The fixtures' orders as the API shows them, and their workflows' history lengths. */
async function orderStates(f: Fixtures): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of [f.pending, f.held, f.invoiced]) {
    const view = await stack.api.call('operator', 'GET', `/orders/${id}`);
    const described = await stack.engine.client.workflow.getHandle(orderWorkflowId(id)).describe();
    out[id] = `${view.status} ${described.historyLength} ${view.text}`;
  }
  return out;
}

// ---- the test ----------------------------------------------------------------------------

it('hostile input at every route and field of the OpenAPI document: a 4xx naming the field, never a 5xx, nothing changed', async ({ task }) => {
  const doc = (await stack.api.call(null, 'GET', '/openapi.json')).body;
  const ops = operations(doc);
  const f = await fixtures();
  await atRest(stack, [f.pending, f.held, f.invoiced], statusIs('awaiting_shipment', 'credit_hold', 'disputed'));

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('email', true); // the pattern beside it says what an email is
  const attack = new Attack('hostile input, every route and field');
  const wrongAnswers: string[] = [];
  const unnamed: string[] = [];
  const changed: string[] = [];
  const invalidBaselines: string[] = [];
  const untested: string[] = [];
  let fields = 0;

  for (const op of ops) {
    const role = op.roles[0] as 'service' | 'finance' | 'operator' | undefined;
    if (!role || (op.parameters.length === 0 && !op.body)) {
      untested.push(`${op.method} ${op.path} (no input)`);
      continue;
    }
    const base = baseline(op, f);
    if (op.body && !ajv.validate(op.body, base.body)) {
      invalidBaselines.push(`${op.operationId}: ${ajv.errorsText(ajv.errors)} in ${JSON.stringify(base.body)}`);
      continue;
    }
    // `sentAs`: a path segment as sent; a router that cannot decode it quotes it back.
    const cases: Array<{ field: string; errorPath: string; hostile: Hostile; sentAs?: string; send: () => Promise<Answer> }> = [];
    for (const p of op.parameters) {
      fields += 1;
      const where = p.in === 'path' ? 'params' : 'querystring';
      const values: Hostile[] =
        p.in === 'path'
          ? [
              ...CONTROL_TEXT.map(([what, value]) => ({ what, value })),
              { what: 'invalid UTF-8 (%FF)', rawJson: '%FF' },
              { what: 'a UTF-8 encoded surrogate (%ED%A0%80)', rawJson: '%ED%A0%80' },
              { what: '101 characters', value: 'x'.repeat(101) },
            ]
          : // A query string is text: a number there is only digits, not hostile.
            hostileValues(p.schema).filter((h) => typeof h.value === 'string' || h.rawJson !== undefined);
      for (const hostile of values) {
        const raw = hostile.rawJson !== undefined ? { [p.in === 'path' ? p.name : `?${p.name}`]: hostile.rawJson } : {};
        const params = p.in === 'path' && hostile.rawJson === undefined ? { ...base.params, [p.name]: String(hostile.value) } : base.params;
        const query = p.in === 'query' && hostile.rawJson === undefined ? { ...base.query, [p.name]: String(hostile.value) } : base.query;
        const target = url(op, params, query, raw);
        cases.push({
          field: `${where}.${p.name}`,
          errorPath: `${where}.${p.name}`,
          hostile,
          ...(p.in === 'path' ? { sentAs: hostile.rawJson ?? encode(String(hostile.value)) } : {}),
          send: () => attack.send(stack.api, role, op.method, target, base.body ?? undefined),
        });
      }
    }
    if (op.body) {
      for (const leaf of leaves(op.body)) {
        fields += 1;
        for (const hostile of hostileValues(leaf.schema)) {
          const marker = '"__HOSTILE__"';
          const body = setAt(base.body, leaf.path, hostile.rawJson === undefined ? hostile.value : '__HOSTILE__');
          const json = hostile.rawJson === undefined ? JSON.stringify(body) : JSON.stringify(body).replace(marker, hostile.rawJson);
          const target = url(op, base.params, base.query);
          cases.push({
            field: `body.${leaf.path.join('.')}`,
            errorPath: `body.${leaf.path.join('.')}`,
            hostile,
            send: () => attack.send(stack.api, role, op.method, target, undefined, json),
          });
        }
      }
    }

    const [rowsBefore, ordersBefore] = await Promise.all([snapshot(), orderStates(f)]);
    await inPool(cases, 8, async (c) => {
      const answer = await c.send();
      const where = `${op.method} ${op.path} ${c.field} = ${c.hostile.what}`;
      if (answer.status < 400 || answer.status >= 500) {
        wrongAnswers.push(`${where}: ${answer.status} ${answer.text.slice(0, 200)}`);
        return;
      }
      const problem = answer.body ?? {};
      const fieldName = c.field.split('.').filter((k) => !/^\d+$/.test(k)).at(-1)!;
      const named =
        (problem.errors ?? []).some((e: { path: string }) => e.path === c.errorPath || e.path.startsWith(`${c.errorPath}.`)) ||
        String(problem.detail ?? '').includes(fieldName) ||
        (c.sentAs !== undefined && String(problem.detail ?? '').includes(c.sentAs));
      if (!named) unnamed.push(`${where}: ${answer.status} ${answer.text.slice(0, 200)}`);
    });
    const [rowsAfter, ordersAfter] = await Promise.all([snapshot(), orderStates(f)]);
    for (const table of Object.keys({ ...rowsBefore, ...rowsAfter })) {
      if (rowsBefore[table] !== rowsAfter[table]) changed.push(`${op.operationId}: table ${table} ${rowsBefore[table]} -> ${rowsAfter[table]}`);
    }
    for (const id of Object.keys(ordersBefore)) {
      if (ordersBefore[id] !== ordersAfter[id]) changed.push(`${op.operationId}: order ${id} changed`);
    }
  }

  // The control: the same comparison sees a change when there is one (a valid request).
  const control = ops.find((op) => op.operationId === 'createCustomer')!;
  const rowsBefore = await snapshot();
  const created = await stack.api.call('service', 'POST', control.path, baseline(control, f).body);
  const controlSeen = created.status === 201 && JSON.stringify(await snapshot()) !== JSON.stringify(rowsBefore);

  attack.notes.routes = ops.length - untested.length;
  attack.notes.fields = fields;
  attack.notes['4xx not naming the field'] = unnamed.length;
  attack.notes['not 4xx'] = wrongAnswers.length;
  attack.notes['changes'] = changed.length;
  const findings = await auditBooks(stack, [f.pending, f.held, f.invoiced]);
  report(task, [attack], findings);

  expect.soft(untested.sort(), 'routes not walked').toEqual(['GET /health (no input)', 'GET /ready (no input)']);
  expect.soft(invalidBaselines, 'baselines the schema refuses').toEqual([]);
  expect.soft(unnamed.slice(0, 60), 'refusals that do not name the field').toEqual([]);
  expect.soft(wrongAnswers, 'answers other than 4xx').toEqual([]);
  expect.soft(changed, 'changes').toEqual([]);
  expect.soft(controlSeen, `a valid POST /customers (${created.status}) changes the snapshot`).toBe(true);
  expect.soft(findings, 'the ledger audit').toEqual([]);
  // The routes the document names, all walked: a route added later is walked too.
  expect.soft(attack.notes.routes, 'routes walked').toBeGreaterThanOrEqual(13);
});
