// Who may call what: every secured route against every kind of caller, on the real stack.
// The allowed callers send requests whose answer is known in advance and which change
// nothing (refused by the order's state, a repeat of an earlier request, or an unknown ID),
// so the shared order and customer below read the same to every test.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { type ApiRole, issueApiKey } from '../../api/auth.js';
import { revokeApiKey } from '../../db/queries/access.js';
import { listAuditEvents } from '../../db/queries/audit.js';
import { getCustomer } from '../../db/queries/customers.js';
import { getOrderRow } from '../../db/queries/orders.js';
import { orderWorkflowId } from '../../workflows/order/contract.js';
import { uniqueId } from '../helpers/database.js';
import { startDevServer } from '../helpers/temporal.js';
import { type ApiHarness, createCustomer, orderBody, useApi } from './harness.js';

let h: ApiHarness;
useApi(startDevServer, (harness) => {
  h = harness;
});

const ROLES = ['service', 'finance', 'operator'] as const satisfies readonly ApiRole[];
const ALL = ROLES;

// The shared fixtures: a customer, and an order of it that credit approved and nothing has
// shipped yet (awaiting_shipment). No test changes either.
let customerId: string;
let customerBody: Record<string, unknown>;
let order: ReturnType<typeof orderBody>;
/** One revoked key per role: revocation must win over a role that would be allowed. */
const revoked = {} as Record<ApiRole, string>;

beforeAll(async () => {
  customerId = uniqueId('cust');
  customerBody = { customerId, name: `Customer ${customerId}`, currency: 'USD', creditLimitMinor: 10_000_000, paymentTermsDays: 30 };
  const created = await h.call('service', 'POST', '/customers', customerBody);
  expect(created.statusCode, created.body).toBe(201);
  order = orderBody(customerId);
  const placed = await h.call('service', 'POST', '/orders', order);
  expect(placed.statusCode, placed.body).toBe(201);
  expect(placed.json().status).toBe('awaiting_shipment');
  for (const role of ROLES) {
    const key = await issueApiKey(h.stack.database.db, uniqueId(`revoked-${role}`), role);
    expect(await revokeApiKey(h.stack.database.db, key.name)).toBe(true);
    revoked[role] = key.secret;
  }
});

interface SecuredRoute {
  method: 'GET' | 'POST' | 'PATCH';
  /** As the route is declared. */
  route: string;
  allowed: readonly ApiRole[];
  /** What every caller sends; built after the fixtures exist. */
  request(): { url: string; body?: unknown };
  /** What an allowed caller gets for that request, and why it changes nothing. */
  expected: number;
  why: string;
}

const unknownOrder = () => uniqueId('no-such-order');

const ROUTES: SecuredRoute[] = [
  {
    method: 'POST', route: '/orders', allowed: ['service'],
    request: () => ({ url: '/orders', body: order }),
    expected: 200, why: 'a repeat of the order already placed',
  },
  {
    method: 'GET', route: '/orders', allowed: ALL,
    request: () => ({ url: `/orders?customerId=${customerId}` }),
    expected: 200, why: 'a read',
  },
  {
    method: 'GET', route: '/orders/:orderId', allowed: ALL,
    request: () => ({ url: `/orders/${order.orderId}` }),
    expected: 200, why: 'a read',
  },
  {
    method: 'POST', route: '/orders/:orderId/shipments', allowed: ['service'],
    request: () => ({ url: `/orders/${order.orderId}/shipments`, body: { shipmentId: uniqueId('shp'), lines: [{ lineId: 'not-on-order', quantity: 1 }] } }),
    expected: 422, why: 'a line the order does not have',
  },
  {
    method: 'POST', route: '/orders/:orderId/payments', allowed: ['service'],
    request: () => ({
      url: `/orders/${order.orderId}/payments`,
      body: { paymentReference: uniqueId('pay'), amountMinor: 1_000, currency: 'USD', method: 'card' },
    }),
    expected: 409, why: 'nothing is invoiced yet',
  },
  {
    method: 'POST', route: '/orders/:orderId/credit-decision', allowed: ['finance'],
    request: () => ({ url: `/orders/${order.orderId}/credit-decision`, body: { decision: 'reject' } }),
    expected: 409, why: 'no decision is pending: credit approved the order',
  },
  {
    method: 'POST', route: '/orders/:orderId/disputes', allowed: ['finance'],
    request: () => ({ url: `/orders/${order.orderId}/disputes`, body: { disputeId: uniqueId('dsp'), amountMinor: 1_000, reason: 'damaged' } }),
    expected: 409, why: 'there is no invoice to dispute',
  },
  {
    method: 'POST', route: '/orders/:orderId/disputes/:disputeId/resolution', allowed: ['finance'],
    request: () => ({ url: `/orders/${order.orderId}/disputes/${uniqueId('dsp')}/resolution`, body: { outcome: 'rejected' } }),
    expected: 409, why: 'the order is not in collections',
  },
  {
    method: 'POST', route: '/orders/:orderId/cancel', allowed: ['service', 'finance'],
    request: () => ({ url: `/orders/${unknownOrder()}/cancel`, body: { reason: 'customer changed their mind' } }),
    expected: 404, why: 'an order that does not exist',
  },
  {
    method: 'POST', route: '/orders/:orderId/write-off', allowed: ['finance'],
    request: () => ({ url: `/orders/${order.orderId}/write-off`, body: { reason: 'uncollectable' } }),
    expected: 409, why: 'the order is not in collections',
  },
  {
    method: 'POST', route: '/orders/:orderId/retry', allowed: ['finance'],
    request: () => ({ url: `/orders/${order.orderId}/retry`, body: { comment: 'repaired' } }),
    expected: 409, why: 'the order has not stopped for a person',
  },
  {
    method: 'POST', route: '/customers', allowed: ['service'],
    request: () => ({ url: '/customers', body: customerBody }),
    expected: 200, why: 'a repeat of the customer already created',
  },
  {
    method: 'GET', route: '/customers/:customerId', allowed: ALL,
    request: () => ({ url: `/customers/${customerId}` }),
    expected: 200, why: 'a read',
  },
  {
    method: 'PATCH', route: '/customers/:customerId', allowed: ['finance'],
    request: () => ({ url: `/customers/${uniqueId('no-such-customer')}`, body: { creditLimitMinor: 1 } }),
    expected: 404, why: 'a customer that does not exist',
  },
];

/** A request with `secret` as the key (none when undefined). */
function send(secret: string | undefined, method: SecuredRoute['method'], req: { url: string; body?: unknown }) {
  return h.app.inject({
    method,
    url: req.url,
    headers: secret === undefined ? {} : { authorization: `Bearer ${secret}` },
    ...(req.body === undefined ? {} : { payload: req.body as object }),
  });
}

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status, code });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body as { detail: string };
}

describe.each(ROUTES.map((r) => [`${r.method} ${r.route} (${r.allowed.join(', ')})`, r] as const))('%s', (_title, r) => {
  it('without a key → 401 UNAUTHORIZED with WWW-Authenticate', async () => {
    const res = await send(undefined, r.method, r.request());
    expectProblem(res, 401, 'UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('with an unknown key → 401', async () => {
    const res = await send(`o2c_${randomBytes(32).toString('base64url')}`, r.method, r.request());
    expectProblem(res, 401, 'UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('with a revoked key of an allowed role → 401', async () => {
    const res = await send(revoked[r.allowed[0]!], r.method, r.request());
    const problem = expectProblem(res, 401, 'UNAUTHORIZED');
    expect(problem.detail).toMatch(/unknown or revoked/);
  });

  it.each(ROLES.map((role) => [role, r.allowed.includes(role) ? r.expected : 403] as const))(
    'with the %s key → %i',
    async (role, status) => {
      const req = r.request();
      const res = await h.call(role, r.method, req.url, req.body);
      if (status === 403) {
        const problem = expectProblem(res, 403, 'FORBIDDEN');
        expect(problem.detail).toContain(`Key "${h.keys[role].name}" has role ${role}`);
        expect(problem.detail).toContain(`this needs ${r.allowed.join(' or ')}`);
      } else {
        expect(res.statusCode, `${r.why}: ${res.body}`).toBe(status);
      }
    },
  );
});

describe('malformed Authorization headers', () => {
  it.each([
    ['another scheme', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['an empty bearer', 'Bearer '],
    ['two tokens', 'Bearer one two'],
  ])('refuses %s with 401', async (_what, authorization) => {
    const res = await h.app.inject({ method: 'GET', url: `/customers/${customerId}`, headers: { authorization } });
    expectProblem(res, 401, 'UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('a refused request changes nothing', () => {
  it("operator's POST /customers leaves no customer", async () => {
    const id = uniqueId('cust');
    const res = await h.call('operator', 'POST', '/customers', { ...customerBody, customerId: id });
    expectProblem(res, 403, 'FORBIDDEN');
    expect(await getCustomer(h.stack.database.db, id)).toBeUndefined();
    expect((await h.call('service', 'GET', `/customers/${id}`)).statusCode).toBe(404);
  });

  it("finance's POST /orders starts no workflow and writes no row", async () => {
    const body = orderBody(customerId);
    const res = await h.call('finance', 'POST', '/orders', body);
    expectProblem(res, 403, 'FORBIDDEN');
    expect((await h.call('service', 'GET', `/orders/${body.orderId}`)).statusCode).toBe(404);
    expect(await getOrderRow(h.stack.database.db, body.orderId)).toBeUndefined();
    await expect(h.env.client.workflow.getHandle(orderWorkflowId(body.orderId)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it("operator's PATCH /customers leaves the terms and the audit trail as they were", async () => {
    const id = await createCustomer(h);
    const res = await h.call('operator', 'PATCH', `/customers/${id}`, { creditLimitMinor: 1 });
    expectProblem(res, 403, 'FORBIDDEN');
    expect(await getCustomer(h.stack.database.db, id)).toMatchObject({ creditLimitMinor: 10_000_000, paymentTermsDays: 30 });
    expect(await listAuditEvents(h.stack.database.db, 'customer', id)).toEqual([]);
  });

  it("operator's cancel leaves the order running", async () => {
    const res = await h.call('operator', 'POST', `/orders/${order.orderId}/cancel`, { reason: 'not mine to cancel' });
    expectProblem(res, 403, 'FORBIDDEN');
    const now = await h.call('operator', 'GET', `/orders/${order.orderId}`);
    expect(now.json()).toMatchObject({ status: 'awaiting_shipment', closedReason: null });
    const audit = await listAuditEvents(h.stack.database.db, 'order', order.orderId);
    expect(audit.filter((e) => e.action === 'order.cancel_requested')).toEqual([]);
  });
});

describe('routes that need no key', () => {
  it.each([
    ['/health', 'application/json'],
    ['/ready', 'application/json'],
    ['/openapi.json', 'application/json'],
    ['/docs/', 'text/html'],
  ])('GET %s answers 200 without a key', async (url, type) => {
    const res = await h.app.inject({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain(type);
  });

  it('GET /docs is not behind a key either', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBeLessThan(400);
  });
});

describe('the OpenAPI document', () => {
  const openApiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}');
  let spec: {
    paths: Record<string, Record<string, { security?: unknown; description?: string; requestBody?: unknown; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  };
  beforeAll(async () => {
    spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.route}`, r] as const))('lists %s with the key requirement and its roles', (_title, r) => {
    const op = spec.paths[openApiPath(r.route)]?.[r.method.toLowerCase()];
    expect(op, `${r.method} ${r.route} missing`).toBeDefined();
    expect(op!.security).toEqual([{ apiKey: [] }]);
    expect(op!.description).toContain(`Roles: ${r.allowed.join(', ')}.`);
    expect(op!.responses).toHaveProperty('401');
    expect(op!.responses).toHaveProperty('403');
  });

  it('has no secured operation the matrix above does not cover', () => {
    const secured = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security !== undefined)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(secured.sort()).toEqual(ROUTES.map((r) => `${r.method} ${openApiPath(r.route)}`).sort());
  });

  it('names every operation once, for generated clients', () => {
    const ids = Object.values(spec.paths).flatMap((ops) => Object.values(ops).map((op) => (op as { operationId?: string }).operationId));
    expect(ids.every((id) => typeof id === 'string' && id.length > 0), JSON.stringify(ids)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('leaves health and readiness open', () => {
    expect(spec.paths['/health']?.get?.security).toBeUndefined();
    expect(spec.paths['/ready']?.get?.security).toBeUndefined();
  });

  it('declares the bearer scheme and the shared schemas', () => {
    expect(spec.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(spec.components.schemas)).toEqual(
      expect.arrayContaining(['Order', 'Problem', 'Customer', 'CustomerDetail', 'CreateOrder', 'CreateCustomer', 'Payment', 'OrderPage']),
    );
    expect(spec.components.schemas.Problem).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['code', 'detail', 'requestId']),
    });
  });

  it('points request and response bodies at those schemas', () => {
    const create = spec.paths['/orders']!.post!;
    expect(JSON.stringify(create.requestBody)).toContain('#/components/schemas/CreateOrder');
    expect(JSON.stringify(create.responses['201'])).toContain('#/components/schemas/Order');
    expect(JSON.stringify(create.responses['403'])).toContain('#/components/schemas/Problem');
    const patch = spec.paths['/customers/{customerId}']!.patch!;
    expect(JSON.stringify(patch.requestBody)).toContain('#/components/schemas/CustomerTermsChange');
    expect(JSON.stringify(patch.responses['200'])).toContain('#/components/schemas/Customer');
  });
});

describe("the key's name is the actor", () => {
  it("in every log line of the request", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logged = await buildApp(
      { temporal: h.env.client, namespace: h.env.namespace ?? 'default', database: h.stack.database },
      { logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } },
    );
    try {
      const res = await logged.inject({
        method: 'GET',
        url: `/customers/${uniqueId('nobody')}`,
        headers: { authorization: `Bearer ${h.keys.operator.secret}` },
      });
      expect(res.statusCode).toBe(404);
      const completed = lines.find((l) => l.msg === 'request completed');
      expect(completed).toMatchObject({ actor: h.keys.operator.name, role: 'operator', reqId: res.headers['x-request-id'] });
    } finally {
      await logged.close();
    }
  });

  it('on a change of customer terms', async () => {
    const id = await createCustomer(h);
    const res = await h.call('finance', 'PATCH', `/customers/${id}`, { creditLimitMinor: 5_000_000 });
    expect(res.statusCode, res.body).toBe(200);
    const events = await listAuditEvents(h.stack.database.db, 'customer', id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: h.keys.finance.name,
      actorKind: 'finance',
      action: 'customer.terms_changed',
      detail: { from: { creditLimitMinor: 10_000_000 }, to: { creditLimitMinor: 5_000_000 } },
    });
  });

  it('on a credit decision for a held order, which only finance may make', async () => {
    const id = await createCustomer(h, { creditLimitMinor: 100_000 });
    // 120 000 is above the limit but within 150% of it: held for a person to decide.
    const body = orderBody(id, {
      lines: [{ lineId: 'l1', sku: 'CRATE', description: 'Crate', quantity: 1, unitPriceMinor: 120_000 }],
      taxRateBps: 0,
    });
    const placed = await h.call('service', 'POST', '/orders', body);
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json()).toMatchObject({ status: 'credit_hold', credit: { outcome: 'held', decidedBy: null } });

    const byService = await h.call('service', 'POST', `/orders/${body.orderId}/credit-decision`, { decision: 'approve' });
    expectProblem(byService, 403, 'FORBIDDEN');
    expect((await h.call('operator', 'GET', `/orders/${body.orderId}`)).json().status).toBe('credit_hold');

    const approved = await h.call('finance', 'POST', `/orders/${body.orderId}/credit-decision`, {
      decision: 'approve',
      comment: 'long-standing customer',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'awaiting_shipment',
      credit: { outcome: 'approved', decidedBy: h.keys.finance.name, comment: 'long-standing customer' },
    });
    const events = await listAuditEvents(h.stack.database.db, 'order', body.orderId);
    expect(events.filter((e) => e.action === 'credit.approved')).toEqual([
      expect.objectContaining({ actor: h.keys.finance.name, actorKind: 'finance' }),
    ]);
  });
});
