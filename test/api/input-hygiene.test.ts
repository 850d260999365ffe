// No input can freeze an order: whatever the API accepts, PostgreSQL can store, so no activity
// retries forever on a value it can never write. Every text field refuses NUL and the other
// control characters (free text for people keeps tab and line feed) and unpaired surrogates;
// every time and date is a real UTC one in 2000-2099; every amount is a whole number within
// what its column and the money arithmetic hold. Each refusal is a 400 naming the field, and
// leaves no row behind and no order changed. The edges the API does accept are stored whole.
import { WorkflowNotFoundError } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiRole } from '../../api/auth.js';
import { MAX_AMOUNT_MINOR } from '../../api/schemas/common.js';
import { MAX_ORDER_SUBTOTAL_MINOR } from '../../api/schemas/orders.js';
import { getInvoice } from '../../db/queries/billing.js';
import { getCustomer } from '../../db/queries/customers.js';
import { listJournalEntries } from '../../db/queries/ledger.js';
import { getOrderRow } from '../../db/queries/orders.js';
import { orderWorkflowId } from '../../workflows/order/contract.js';
import { uniqueId } from '../helpers/database.js';
import { startDevServer } from '../helpers/temporal.js';
import { eventually } from '../workflows/order/harness.js';
import { type ApiHarness, createCustomer, LINES, orderBody, refusalFixtures, useApi } from './harness.js';

let h: ApiHarness;
useApi(startDevServer, (harness) => {
  h = harness;
});

// Fixtures, sent only requests that must be refused: a customer, an order of it awaiting
// shipment and one invoiced (awaiting payment).
let customerId: string;
let pending: { orderId: string; view: unknown };
let invoiced: { orderId: string; view: unknown };

beforeAll(async () => {
  ({ customerId, pending, invoiced } = await refusalFixtures(h));
});

// ---- what a refusal must look like ---------------------------------------------------------

/** 400 VALIDATION_FAILED naming `path`; or 422 UNPROCESSABLE for a rule the document's schema cannot state. */
function expectInvalid(res: LightMyRequestResponse, path: string, status: 400 | 422 = 400): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const problem = res.json() as { code: string; errors?: Array<{ path: string; message: string }> };
  expect(problem.code).toBe(status === 400 ? 'VALIDATION_FAILED' : 'UNPROCESSABLE');
  expect(problem.errors, res.body).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.any(String) })]));
}

/**
 * How many rows every table holds for these customers, their orders, invoices and payments.
 * Other test files share the database, so the count is of what is ours, not of whole tables.
 */
async function footprint(customerIds: string[]): Promise<Record<string, number>> {
  const ids = sql`array[${sql.join(
    customerIds.map((id) => sql`${id}`),
    sql`, `,
  )}]::text[]`;
  const [row] = await h.stack.database.rows<Record<string, string>>(sql`
    with c as (select unnest(${ids}) as id),
      o as (select id from orders where customer_id in (select id from c)),
      i as (select invoice_number as id from invoices where customer_id in (select id from c)),
      p as (select payment_reference as id from payments where customer_id in (select id from c)),
      j as (select id from journal_entries where order_id in (select id from o)),
      s as (select id from c union select id from o)
    select
      (select count(*) from customers where id in (select id from c))::text as customers,
      (select count(*) from orders where id in (select id from o))::text as orders,
      (select count(*) from order_lines where order_id in (select id from o))::text as order_lines,
      (select count(*) from shipments where order_id in (select id from o))::text as shipments,
      (select count(*) from shipment_lines where order_id in (select id from o))::text as shipment_lines,
      (select count(*) from invoices where invoice_number in (select id from i))::text as invoices,
      (select count(*) from invoice_lines where invoice_number in (select id from i))::text as invoice_lines,
      (select count(*) from invoice_fees where invoice_number in (select id from i))::text as invoice_fees,
      (select count(*) from credit_notes where invoice_number in (select id from i))::text as credit_notes,
      (select count(*) from disputes where order_id in (select id from o))::text as disputes,
      (select count(*) from dunning_events where invoice_number in (select id from i))::text as dunning_events,
      (select count(*) from write_offs where invoice_number in (select id from i))::text as write_offs,
      (select count(*) from payments where payment_reference in (select id from p))::text as payments,
      (select count(*) from payment_applications where payment_reference in (select id from p))::text as payment_applications,
      (select count(*) from customer_credits where customer_id in (select id from c))::text as customer_credits,
      (select count(*) from journal_entries where id in (select id from j))::text as journal_entries,
      (select count(*) from journal_lines where entry_id in (select id from j))::text as journal_lines,
      (select count(*) from notifications where subject_id in (select id from s))::text as notifications,
      (select count(*) from audit_events where subject_id in (select id from s))::text as audit_events
  `);
  return Object.fromEntries(Object.entries(row!).map(([table, n]) => [table, Number(n)]));
}

async function expectUnchanged(order: { orderId: string; view: unknown }) {
  const now = await h.call('operator', 'GET', `/orders/${order.orderId}`);
  expect(now.statusCode).toBe(200);
  expect(now.json()).toEqual(order.view);
}

async function expectNoWorkflow(orderId: string) {
  await expect(h.env.client.workflow.getHandle(orderWorkflowId(orderId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

// ---- the routes and what each takes ---------------------------------------------------------

type Method = 'GET' | 'POST' | 'PATCH';
type Body = Record<string, unknown>;

interface Route {
  name: string;
  role: ApiRole;
  method: Method;
  url: () => string;
  /** A body the route would take, fresh for each request (new IDs). */
  body?: () => Body;
  /** The customers whose rows it could write, beyond the fixtures' own. */
  customers?: (body: Body) => string[];
  /** Anything else that must still hold after a refusal. */
  unchanged: (body: Body) => Promise<void>;
}

/** An ID as the API takes it (one a lookup can use; a refused one was never stored). */
const isId = (value: unknown): value is string => typeof value === 'string' && /^[\w.:-]+$/.test(value);

const customerBody = (): Body => {
  const id = uniqueId('cust');
  return { customerId: id, name: `Customer ${id}`, currency: 'USD', creditLimitMinor: 1_000_000, paymentTermsDays: 30, contactEmail: `ap@${id}.example` };
};

const ROUTES = {
  createCustomer: {
    name: 'POST /customers',
    role: 'service',
    method: 'POST',
    url: () => '/customers',
    body: customerBody,
    customers: (body) => (isId(body.customerId) ? [body.customerId] : []),
    unchanged: async (body) => {
      if (isId(body.customerId)) expect(await getCustomer(h.stack.database.db, body.customerId)).toBeUndefined();
    },
  },
  changeTerms: {
    name: 'PATCH /customers/:customerId',
    role: 'finance',
    method: 'PATCH',
    url: () => `/customers/${customerId}`,
    body: () => ({ creditLimitMinor: 2_000_000, paymentTermsDays: 45 }),
    unchanged: async () => {
      expect(await getCustomer(h.stack.database.db, customerId)).toMatchObject({ creditLimitMinor: 10_000_000, paymentTermsDays: 30 });
    },
  },
  createOrder: {
    name: 'POST /orders',
    role: 'service',
    method: 'POST',
    url: () => '/orders',
    body: () => orderBody(customerId, { lines: LINES.map((l) => ({ ...l })) }),
    unchanged: async (body) => {
      if (isId(body.orderId)) {
        expect(await getOrderRow(h.stack.database.db, body.orderId)).toBeUndefined();
        await expectNoWorkflow(body.orderId);
      }
    },
  },
  ship: {
    name: 'POST /orders/:orderId/shipments',
    role: 'service',
    method: 'POST',
    url: () => `/orders/${pending.orderId}/shipments`,
    body: () => ({ shipmentId: uniqueId('shp'), lines: [{ lineId: 'l1', quantity: 1 }], shippedAt: '2026-11-23T09:30:00Z' }),
    unchanged: () => expectUnchanged(pending),
  },
  pay: {
    name: 'POST /orders/:orderId/payments',
    role: 'service',
    method: 'POST',
    url: () => `/orders/${invoiced.orderId}/payments`,
    body: () => ({ paymentReference: uniqueId('pay'), amountMinor: 1_000, currency: 'USD', method: 'bank_transfer', receivedAt: '2026-11-23T09:30:00Z' }),
    unchanged: () => expectUnchanged(invoiced),
  },
  decideCredit: {
    name: 'POST /orders/:orderId/credit-decision',
    role: 'finance',
    method: 'POST',
    url: () => `/orders/${pending.orderId}/credit-decision`,
    body: () => ({ decision: 'approve', comment: 'known customer' }),
    unchanged: () => expectUnchanged(pending),
  },
  dispute: {
    name: 'POST /orders/:orderId/disputes',
    role: 'finance',
    method: 'POST',
    url: () => `/orders/${invoiced.orderId}/disputes`,
    body: () => ({ disputeId: uniqueId('dsp'), amountMinor: 1_000, reason: 'damaged', resumeOn: '2026-12-15' }),
    unchanged: () => expectUnchanged(invoiced),
  },
  resolve: {
    name: 'POST /orders/:orderId/disputes/:disputeId/resolution',
    role: 'finance',
    method: 'POST',
    url: () => `/orders/${invoiced.orderId}/disputes/dsp-none/resolution`,
    body: () => ({ outcome: 'accepted', acceptedMinor: 500, comment: 'agreed' }),
    unchanged: () => expectUnchanged(invoiced),
  },
  cancel: {
    name: 'POST /orders/:orderId/cancel',
    role: 'service',
    method: 'POST',
    url: () => `/orders/${pending.orderId}/cancel`,
    body: () => ({ reason: 'customer withdrew' }),
    unchanged: () => expectUnchanged(pending),
  },
  writeOff: {
    name: 'POST /orders/:orderId/write-off',
    role: 'finance',
    method: 'POST',
    url: () => `/orders/${invoiced.orderId}/write-off`,
    body: () => ({ reason: 'not worth pursuing' }),
    unchanged: () => expectUnchanged(invoiced),
  },
} satisfies Record<string, Route>;

/** A copy of `body` with the field at `path` (dots, array indexes as numbers) set to `value`. */
function withField(body: Body, path: string, value: unknown): Body {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let at: any = copy;
  for (const key of keys.slice(0, -1)) at = at[key];
  at[keys.at(-1)!] = value;
  return copy;
}

/**
 * Sends `body` to `route` (as `json`, when given, for numbers JSON.stringify cannot write),
 * expects 400 at `field`, and that nothing was written or changed.
 */
async function expectRefused(route: Route, body: Body, field: string, json = JSON.stringify(body), status: 400 | 422 = 400) {
  const customers = [customerId, ...(route.customers?.(body) ?? [])];
  const before = await footprint(customers);
  const res = await h.app.inject({
    method: route.method,
    url: route.url(),
    headers: { authorization: `Bearer ${h.keys[route.role].secret}`, 'content-type': 'application/json' },
    payload: json,
  });
  expectInvalid(res, field, status);
  expect(await footprint(customers)).toEqual(before);
  await route.unchanged(body);
}

// ---- text ------------------------------------------------------------------------------------

/** Refused in every text field: NUL, other C0 controls, DEL, C1 controls, unpaired surrogates. */
const NEVER: Array<[string, string]> = [
  ['a NUL', 'a\u0000b'],
  ['a NUL alone', '\u0000'],
  ['a bell (U+0007)', 'a\u0007b'],
  ['an escape sequence (U+001B)', '\u001b[31mred'],
  ['a carriage return', 'a\rb'],
  ['a vertical tab', 'a\u000bb'],
  ['DEL (U+007F)', 'a\u007fb'],
  ['a C1 next-line (U+0085)', 'a\u0085b'],
  ['a C1 CSI (U+009B)', 'a\u009b31mb'],
  ['an unpaired high surrogate', 'a\ud800b'],
  ['an unpaired low surrogate', 'a\udc00b'],
  ['a surrogate pair the wrong way round', 'a\ude00\ud83db'],
];
/** Refused in one-line fields (names, SKUs, IDs, codes) but kept in free text for people. */
const LINE_BREAKS: Array<[string, string]> = [
  ['a tab', 'a\tb'],
  ['a line feed', 'a\nb'],
];

type TextKind = 'one line' | 'free text';
const TEXT_FIELDS: Array<[keyof typeof ROUTES, string, TextKind]> = [
  ['createCustomer', 'customerId', 'one line'],
  ['createCustomer', 'name', 'one line'],
  ['createCustomer', 'currency', 'one line'],
  ['createCustomer', 'contactEmail', 'one line'],
  ['createOrder', 'orderId', 'one line'],
  ['createOrder', 'customerId', 'one line'],
  ['createOrder', 'currency', 'one line'],
  ['createOrder', 'policy', 'one line'],
  ['createOrder', 'lines.0.lineId', 'one line'],
  ['createOrder', 'lines.0.sku', 'one line'],
  ['createOrder', 'lines.1.description', 'free text'],
  ['ship', 'shipmentId', 'one line'],
  ['ship', 'lines.0.lineId', 'one line'],
  ['pay', 'paymentReference', 'one line'],
  ['pay', 'currency', 'one line'],
  ['pay', 'method', 'one line'],
  ['decideCredit', 'decision', 'one line'],
  ['decideCredit', 'comment', 'free text'],
  ['dispute', 'disputeId', 'one line'],
  ['dispute', 'reason', 'free text'],
  ['resolve', 'outcome', 'one line'],
  ['resolve', 'comment', 'free text'],
  ['cancel', 'reason', 'free text'],
  ['writeOff', 'reason', 'free text'],
];

describe.each(TEXT_FIELDS)('%s: body.%s (%s)', (routeName, field, kind) => {
  const route: Route = ROUTES[routeName];
  const bad = kind === 'one line' ? [...NEVER, ...LINE_BREAKS] : NEVER;
  it.each(bad)('with %s: 400 naming it, nothing stored', async (_what, value) => {
    await expectRefused(route, withField(route.body!(), field, value), `body.${field}`);
  });
});

describe('text in path parameters and the query', () => {
  // A URL cannot carry an unpaired surrogate: its percent-encoded UTF-8 does not decode (below).
  const controls = [...NEVER, ...LINE_BREAKS]
    .filter(([, value]) => !/[\ud800-\udfff]/.test(value))
    .map(([what, value]) => [what, encodeURIComponent(value)] as const);

  it.each(controls)('an order ID with %s: 400 at params.orderId, on reads and on every update', async (_what, id) => {
    const before = await footprint([customerId]);
    expectInvalid(await h.call('operator', 'GET', `/orders/a${id}`), 'params.orderId');
    const updates = [ROUTES.ship, ROUTES.pay, ROUTES.decideCredit, ROUTES.dispute, ROUTES.cancel, ROUTES.writeOff];
    for (const route of updates) {
      const url = route.url().replace(/^\/orders\/[^/]+/, `/orders/a${id}`);
      expectInvalid(await h.call(route.role, 'POST', url, route.body()), 'params.orderId');
    }
    expect(await footprint([customerId])).toEqual(before);
  });

  it.each(controls)('a dispute ID with %s: 400 at params.disputeId', async (_what, id) => {
    const res = await h.call('finance', 'POST', `/orders/${invoiced.orderId}/disputes/d${id}/resolution`, { outcome: 'rejected' });
    expectInvalid(res, 'params.disputeId');
    await expectUnchanged(invoiced);
  });

  it.each(controls)('a customer ID with %s: 400 at params.customerId, read or changed', async (_what, id) => {
    expectInvalid(await h.call('operator', 'GET', `/customers/c${id}`), 'params.customerId');
    const before = await footprint([customerId]);
    expectInvalid(await h.call('finance', 'PATCH', `/customers/c${id}`, { creditLimitMinor: 1 }), 'params.customerId');
    expect(await footprint([customerId])).toEqual(before);
  });

  it.each(['customerId', 'status', 'cursor', 'overdue', 'limit', 'dunningLevel'])(
    'GET /orders?%s= with a NUL, a control character or a line break: 400 naming it',
    async (name) => {
      for (const [, value] of controls) expectInvalid(await h.call('operator', 'GET', `/orders?${name}=${value}`), `querystring.${name}`);
    },
  );

  it.each([
    ['an unpaired surrogate as UTF-8 would have it', '%ED%A0%80'],
    ['a byte that is not UTF-8', '%FF'],
  ])('%s in a path or the query: 400, never a 500', async (_what, bytes) => {
    for (const url of [`/orders/a${bytes}`, `/customers/c${bytes}`, `/orders?customerId=a${bytes}`, `/orders?cursor=${bytes}`]) {
      const res = await h.call('operator', 'GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
  });
});

// Every check runs on the text as sent (what the document's patterns and maxLength describe);
// what passes is stored trimmed.
describe('blank text, the edges of text and its length', () => {
  it.each([
    ['a line feed alone', 'createOrder', 'lines.1.description', '\n'],
    ['tabs and spaces', 'cancel', 'reason', ' \t \n '],
    ['no-break and ideographic spaces', 'createCustomer', 'name', '\u00a0\u3000\ufeff'],
    ['an empty string', 'createOrder', 'lines.0.sku', ''],
  ] as const)('%s: 400 naming it, nothing stored', async (_what, routeName, field, value) => {
    const route: Route = ROUTES[routeName];
    await expectRefused(route, withField(route.body!(), field, value), `body.${field}`);
  });

  it('a tab at the end of a one-line field is refused, not trimmed away', async () => {
    const route: Route = ROUTES.createCustomer;
    await expectRefused(route, withField(route.body!(), 'name', 'Acme Ltd\t'), 'body.name');
  });

  it('counts characters as the document does: 200 emoji are a name, 201 are too many', async () => {
    const route: Route = ROUTES.createCustomer;
    await expectRefused(route, withField(route.body!(), 'name', '🚀'.repeat(201)), 'body.name');
    const id = await createCustomer(h, { name: '🚀'.repeat(200) });
    expect((await getCustomer(h.stack.database.db, id))?.name).toBe('🚀'.repeat(200));
  });

  it('stores text trimmed of the spaces around it', async () => {
    const id = await createCustomer(h, { name: '  Acme Ltd \u00a0' });
    expect((await getCustomer(h.stack.database.db, id))?.name).toBe('Acme Ltd');
  });
});

describe('text the API keeps', () => {
  it('tab and line feed in free text, and characters beyond U+FFFF anywhere: stored as sent', async () => {
    const name = 'Zoë & Søn 株式会社 🚀';
    const id = await createCustomer(h, { name });
    expect((await getCustomer(h.stack.database.db, id))?.name).toBe(name);
    const description = 'Widget, blue\n\tsee note 🚀';
    const body = orderBody(id, { lines: [{ ...LINES[0], description, sku: 'WIDGET-🚀' }] });
    const created = await h.call('service', 'POST', '/orders', body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().lines[0]).toMatchObject({ description, sku: 'WIDGET-🚀' });
    const reason = 'customer withdrew:\n\t- wrong colour\n\t- too late 🚀';
    const cancelled = await h.call('service', 'POST', `/orders/${body.orderId}/cancel`, { reason });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', closedReason: expect.stringContaining(reason) });
    const row = await eventually(async () => {
      const found = await getOrderRow(h.stack.database.db, body.orderId);
      expect(found?.finalView).toBeTruthy();
      return found!;
    });
    expect(row.finalView!.lines[0]!.description).toBe(description);
    expect(row.finalView!.closedReason).toContain(reason);
  });
});

// ---- times and dates -------------------------------------------------------------------------

const BAD_TIMES: Array<[string, unknown]> = [
  ['year 0000', '0000-01-01T00:00:00Z'],
  ['1999, before the range', '1999-12-31T23:59:59Z'],
  ['2100, after the range', '2100-01-01T00:00:00Z'],
  ['year 9999', '9999-12-31T23:59:59Z'],
  ['an expanded year', '+275760-09-13T00:00:00Z'],
  ['a day that does not exist', '2026-02-30T09:30:00Z'],
  ['29 February of a common year', '2026-02-29T09:30:00Z'],
  ['hour 24', '2026-11-23T24:00:00Z'],
  ['a leap second', '2026-12-31T23:59:60Z'],
  ['an offset instead of Z', '2026-11-23T09:30:00+02:00'],
  ['no zone', '2026-11-23T09:30:00'],
  ['a lower-case z', '2026-11-23T09:30:00z'],
  ['a date alone', '2026-11-23'],
  ['a space for the T', '2026-11-23 09:30:00Z'],
  ['no seconds', '2026-11-23T09:30Z'],
  ['a trailing NUL', '2026-11-23T09:30:00Z\u0000'],
  ['words', 'yesterday'],
  ['an empty string', ''],
  ['milliseconds since 1970', 1_795_000_000_000],
  ['null', null],
];

const BAD_DATES: Array<[string, unknown]> = [
  ['year 0000', '0000-01-01'],
  ['1999, before the range', '1999-12-31'],
  ['2100, after the range', '2100-01-01'],
  ['a day that does not exist', '2026-04-31'],
  ['29 February of a common year', '2026-02-29'],
  ['month 13', '2026-13-01'],
  ['a time', '2026-12-15T00:00:00Z'],
  ['no dashes', '20261215'],
  ['a trailing NUL', '2026-12-15\u0000'],
  ['words', 'next week'],
  ['a number', 20261215],
];

describe.each([
  ['ship', 'shippedAt', BAD_TIMES],
  ['pay', 'receivedAt', BAD_TIMES],
  ['dispute', 'resumeOn', BAD_DATES],
] as const)('%s: body.%s', (routeName, field, values) => {
  const route: Route = ROUTES[routeName];
  it.each(values)('%s: 400 naming it, nothing stored', async (_what, value) => {
    await expectRefused(route, withField(route.body!(), field, value), `body.${field}`);
  });
});

// ---- amounts ---------------------------------------------------------------------------------

/** Bad as any amount, count or rate: not whole, negative, beyond any bound, not a number. */
const NOT_AMOUNTS: Array<[string, unknown]> = [
  ['a negative', -1],
  ['a fraction', 1.5],
  ['a tiny fraction', 1e-7],
  ['a string of digits', '100'],
  ['true', true],
  ['null', null],
  ['2^53, past exact doubles', 2 ** 53],
  ['Number.MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
  ['1e21', 1e21],
  ['the largest double', Number.MAX_VALUE],
];

/** Raw JSON numbers JavaScript reads as something else: infinity, a rounded huge integer. */
const RAW_NUMBERS: Array<[string, string]> = [
  ['1e400 (Infinity once parsed)', '1e400'],
  ['-1e400', '-1e400'],
  ['a 20-digit integer (rounded once parsed)', '12345678901234567890'],
  ['9007199254740993 (read as 2^53)', '9007199254740993'],
];

const AMOUNT_FIELDS: Array<[keyof typeof ROUTES, string, { min: number; max: number }]> = [
  ['createCustomer', 'creditLimitMinor', { min: 0, max: MAX_AMOUNT_MINOR }],
  ['createCustomer', 'paymentTermsDays', { min: 0, max: 365 }],
  ['changeTerms', 'creditLimitMinor', { min: 0, max: MAX_AMOUNT_MINOR }],
  ['changeTerms', 'paymentTermsDays', { min: 0, max: 365 }],
  ['createOrder', 'lines.0.quantity', { min: 1, max: 1_000_000 }],
  ['createOrder', 'lines.0.unitPriceMinor', { min: 0, max: MAX_ORDER_SUBTOTAL_MINOR }],
  ['createOrder', 'taxRateBps', { min: 0, max: 10_000 }],
  ['createOrder', 'paymentTermsDays', { min: 0, max: 365 }],
  ['ship', 'lines.0.quantity', { min: 1, max: 1_000_000 }],
  ['pay', 'amountMinor', { min: 1, max: MAX_AMOUNT_MINOR }],
  ['dispute', 'amountMinor', { min: 1, max: MAX_AMOUNT_MINOR }],
  ['resolve', 'acceptedMinor', { min: 1, max: MAX_AMOUNT_MINOR }],
];

describe.each(AMOUNT_FIELDS)('%s: body.%s', (routeName, field, bounds) => {
  const route: Route = ROUTES[routeName];
  const values: Array<[string, unknown]> = [
    ...NOT_AMOUNTS,
    [`one past its maximum ${bounds.max}`, bounds.max + 1],
    ...(bounds.min > 0 ? [[`below its minimum ${bounds.min}`, bounds.min - 1] as [string, unknown]] : []),
  ];
  it.each(values)('%s: 400 naming it, nothing stored', async (_what, value) => {
    await expectRefused(route, withField(route.body!(), field, value), `body.${field}`);
  });

  it.each(RAW_NUMBERS)('%s, as sent in the JSON: 400 naming it, nothing stored', async (_what, raw) => {
    const body = withField(route.body!(), field, '__RAW__');
    await expectRefused(route, body, `body.${field}`, JSON.stringify(body).replace('"__RAW__"', raw));
  });
});

describe('GET /orders: numbers in the query', () => {
  it.each(['limit', 'dunningLevel'])('?%s= refuses what is not a small whole number', async (name) => {
    for (const value of ['-1', '1.5', '1e3', '0x10', ' 1', '99999999999999999999', 'Infinity', 'NaN']) {
      expectInvalid(await h.call('operator', 'GET', `/orders?${name}=${encodeURIComponent(value)}`), `querystring.${name}`);
    }
  });
});

describe("an order's subtotal and total", () => {
  it('refuses lines each within bounds whose subtotal passes the cap: 422 at body.lines, no order', async () => {
    const half = MAX_ORDER_SUBTOTAL_MINOR / 2;
    const body = orderBody(customerId, {
      lines: [
        { lineId: 'l1', sku: 'A', description: 'A', quantity: 1_000_000, unitPriceMinor: half / 1_000_000 },
        { lineId: 'l2', sku: 'B', description: 'B', quantity: 1, unitPriceMinor: half },
        { lineId: 'l3', sku: 'C', description: 'C', quantity: 1, unitPriceMinor: 1 },
      ],
    });
    await expectRefused(ROUTES.createOrder, body, 'body.lines', undefined, 422);
  });

  it('refuses 500 lines of a million units each at a price whose products pass 2^53 together', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => ({
      lineId: `l${i}`,
      sku: 'BULK',
      description: 'Bulk',
      quantity: 1_000_000,
      unitPriceMinor: MAX_ORDER_SUBTOTAL_MINOR,
    }));
    await expectRefused(ROUTES.createOrder, orderBody(customerId, { lines }), 'body.lines', undefined, 422);
  });

  it('takes the largest order there can be, with 100% tax, and carries it to cash: every figure stored exactly', async () => {
    const big = await createCustomer(h, { creditLimitMinor: MAX_AMOUNT_MINOR });
    const body = orderBody(big, {
      taxRateBps: 10_000,
      lines: [
        { lineId: 'l1', sku: 'BIG', description: 'Big', quantity: 1_000_000, unitPriceMinor: MAX_ORDER_SUBTOTAL_MINOR / 1_000_000 - 1 },
        { lineId: 'l2', sku: 'REST', description: 'Rest', quantity: 1, unitPriceMinor: 1_000_000 },
      ],
    });
    const created = await h.call('service', 'POST', '/orders', body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().status).toBe('awaiting_shipment');
    const shipped = await h.call('service', 'POST', `/orders/${body.orderId}/shipments`, {
      shipmentId: uniqueId('shp'),
      lines: [{ lineId: 'l1', quantity: 1_000_000 }, { lineId: 'l2', quantity: 1 }],
      shippedAt: '2000-01-01T00:00:00Z',
    });
    expect(shipped.statusCode, shipped.body).toBe(200);
    const total = 2 * MAX_ORDER_SUBTOTAL_MINOR;
    expect(shipped.json().invoice).toMatchObject({ subtotalMinor: MAX_ORDER_SUBTOTAL_MINOR, taxMinor: MAX_ORDER_SUBTOTAL_MINOR, totalMinor: total });
    // The most a payment can be: the invoice in full, the rest the customer's credit.
    const paid = await h.call('service', 'POST', `/orders/${body.orderId}/payments`, {
      paymentReference: uniqueId('pay'),
      amountMinor: MAX_AMOUNT_MINOR,
      currency: 'USD',
      method: 'bank_transfer',
      receivedAt: '2099-12-31T23:59:59.999Z',
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ balanceMinor: 0, customerCreditMinor: MAX_AMOUNT_MINOR - total });
    const row = await getOrderRow(h.stack.database.db, body.orderId);
    expect(row).toMatchObject({ status: 'closed', subtotalMinor: MAX_ORDER_SUBTOTAL_MINOR, taxMinor: MAX_ORDER_SUBTOTAL_MINOR, totalMinor: total });
    const invoice = await getInvoice(h.stack.database.db, shipped.json().invoice.invoiceNumber);
    expect(invoice).toMatchObject({ totalMinor: total, status: 'closed' });
    expect((await listJournalEntries(h.stack.database.db, body.orderId)).map((e) => e.kind).sort()).toEqual(['invoice', 'payment']);
    const stored = await h.stack.database.rows<{ received_ms: string; amount_minor: string }>(
      sql`select (extract(epoch from received_at) * 1000)::bigint::text as received_ms, amount_minor::text from payments where order_id = ${body.orderId}`,
    );
    expect(stored).toEqual([{ received_ms: String(Date.parse('2099-12-31T23:59:59.999Z')), amount_minor: String(MAX_AMOUNT_MINOR) }]);
  });
});

// ---- zero prices -----------------------------------------------------------------------------

describe('zero-priced lines', () => {
  it('an order of free samples only: 201, invoiced at zero when shipped, then closed with nothing owed', async () => {
    const body = orderBody(customerId, {
      lines: [{ lineId: 's1', sku: 'SAMPLE', description: 'Free sample', quantity: 3, unitPriceMinor: 0 }],
    });
    const created = await h.call('service', 'POST', '/orders', body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().status).toBe('awaiting_shipment');
    const shipped = await h.call('service', 'POST', `/orders/${body.orderId}/shipments`, {
      shipmentId: uniqueId('shp'),
      lines: [{ lineId: 's1', quantity: 3 }],
    });
    expect(shipped.statusCode, shipped.body).toBe(200);
    expect(shipped.json().invoice).toMatchObject({ subtotalMinor: 0, taxMinor: 0, totalMinor: 0 });
    const closed = await eventually(async () => {
      const res = await h.call('operator', 'GET', `/orders/${body.orderId}`);
      expect(res.json()).toMatchObject({ status: 'closed', balanceMinor: 0, closedReason: 'nothing to pay; reconciled' });
      return res.json();
    });
    expect(closed.invoice.lines).toEqual([{ lineId: 's1', description: 'Free sample', quantity: 3, unitPriceMinor: 0, amountMinor: 0 }]);
    expect(await listJournalEntries(h.stack.database.db, body.orderId)).toEqual([]);
    // A payment to it now is refused as to any closed order: nothing is owed.
    const paid = await h.call('service', 'POST', `/orders/${body.orderId}/payments`, {
      paymentReference: uniqueId('pay'),
      amountMinor: 1,
      currency: 'USD',
      method: 'card',
    });
    expect(paid.statusCode, paid.body).toBe(409);
  });
});
