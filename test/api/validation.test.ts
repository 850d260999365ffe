// Bad input through the whole API on the real stack: each is refused with a 4xx problem
// document that says what is wrong (never a 500), and leaves no trace: no customer row, no
// workflow, no change to an order.
import { WorkflowNotFoundError } from '@temporalio/common';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { getCustomer } from '../../db/queries/customers.js';
import { getOrderRow } from '../../db/queries/orders.js';
import { orderWorkflowId } from '../../workflows/order/contract.js';
import { uniqueId } from '../helpers/database.js';
import { startDevServer } from '../helpers/temporal.js';
import { type ApiHarness, LINES, orderBody, refusalFixtures, useApi } from './harness.js';

let h: ApiHarness;
useApi(startDevServer, (harness) => {
  h = harness;
});

// Shared fixtures, sent only requests that must be refused: a USD customer, an order of it
// awaiting shipment, and one shipped in full and invoiced (awaiting payment).
let customerId: string;
let pending: { orderId: string; view: unknown };
let invoiced: { orderId: string; view: unknown };

beforeAll(async () => {
  ({ customerId, pending, invoiced } = await refusalFixtures(h));
});

type Method = 'GET' | 'POST' | 'PATCH';

/** A request as the service key, with a raw payload and headers of the test's choosing. */
function raw(method: Method, url: string, payload?: string | Buffer, headers: Record<string, string> = {}) {
  return h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${h.keys.service.secret}`, ...headers },
    ...(payload === undefined ? {} : { payload }),
  });
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  requestId: string;
  errors?: Array<{ path: string; message: string }>;
}

function expectProblem(res: LightMyRequestResponse, status: number, code: string): Problem {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json() as Problem;
  expect(body).toMatchObject({ status, code, type: expect.stringMatching(/^urn:o2c:problem:/) });
  expect(body.detail).toEqual(expect.any(String));
  expect(body.detail.length).toBeGreaterThan(0);
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}

/** A 400 from schema validation, with `path` among the failing fields. */
function expectInvalid(res: LightMyRequestResponse, path: string): Problem {
  const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
  expect(problem.errors, res.body).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.any(String) })]));
  return problem;
}

async function expectNoCustomer(id: string) {
  expect(await getCustomer(h.stack.database.db, id)).toBeUndefined();
}

async function expectNoOrder(orderId: string) {
  expect((await h.call('operator', 'GET', `/orders/${orderId}`)).statusCode).toBe(404);
  expect(await getOrderRow(h.stack.database.db, orderId)).toBeUndefined();
  await expect(h.env.client.workflow.getHandle(orderWorkflowId(orderId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

async function expectUnchanged(order: { orderId: string; view: unknown }) {
  const now = await h.call('operator', 'GET', `/orders/${order.orderId}`);
  expect(now.statusCode).toBe(200);
  expect(now.json()).toEqual(order.view);
}

function customerBody(overrides: Record<string, unknown> = {}) {
  const id = uniqueId('cust');
  return { customerId: id, name: `Customer ${id}`, currency: 'USD', creditLimitMinor: 1_000_000, paymentTermsDays: 30, ...overrides };
}

describe('bodies that are not JSON objects', () => {
  it('refuses malformed JSON with 400 MALFORMED_JSON', async () => {
    const id = uniqueId('cust');
    const res = await raw('POST', '/customers', `{"customerId":"${id}","name":`, { 'content-type': 'application/json' });
    const problem = expectProblem(res, 400, 'MALFORMED_JSON');
    expect(problem.errors).toBeUndefined();
    await expectNoCustomer(id);
  });

  it('refuses malformed JSON on an update and leaves the order as it was', async () => {
    const res = await raw('POST', `/orders/${pending.orderId}/cancel`, '{"reason": "oops",', { 'content-type': 'application/json' });
    expectProblem(res, 400, 'MALFORMED_JSON');
    await expectUnchanged(pending);
  });

  it('refuses an empty JSON body with 400', async () => {
    const res = await raw('POST', '/customers', '', { 'content-type': 'application/json' });
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('refuses a request with no body at all with 400 naming the body', async () => {
    const res = await raw('POST', `/orders/${pending.orderId}/cancel`);
    expectInvalid(res, 'body');
    await expectUnchanged(pending);
  });

  it.each([
    ['a JSON array', '[]'],
    ['a JSON string', '"hello"'],
    ['JSON null', 'null'],
  ])('refuses %s where an object belongs with 400', async (_what, payload) => {
    const res = await raw('POST', '/customers', payload, { 'content-type': 'application/json' });
    expectInvalid(res, 'body');
  });

  it('refuses a body over 256 KiB with 413 and creates nothing', async () => {
    const body = customerBody({ name: 'x'.repeat(260 * 1024) });
    const res = await raw('POST', '/customers', JSON.stringify(body), { 'content-type': 'application/json' });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    await expectNoCustomer(body.customerId);
  });

  it.each([
    ['text/plain', (b: object) => JSON.stringify(b)],
    ['application/xml', () => '<customer/>'],
    ['application/x-www-form-urlencoded', () => 'customerId=x&name=y'],
  ])('refuses a %s body with 415 and creates nothing', async (type, encode) => {
    const body = customerBody();
    const res = await raw('POST', '/customers', encode(body), { 'content-type': type });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectNoCustomer(body.customerId);
  });
});

describe('POST /customers with bad fields', () => {
  it.each([
    ['a limit as a string', 'body.creditLimitMinor', { creditLimitMinor: '1000' }],
    ['a name as a number', 'body.name', { name: 42 }],
    ['a negative limit', 'body.creditLimitMinor', { creditLimitMinor: -100 }],
    ['a fractional limit', 'body.creditLimitMinor', { creditLimitMinor: 12.5 }],
    ['an unknown currency', 'body.currency', { currency: 'XYZ' }],
    ['a currency in lower case', 'body.currency', { currency: 'usd' }],
    ['terms as a fraction', 'body.paymentTermsDays', { paymentTermsDays: 30.5 }],
    ['a bad email', 'body.contactEmail', { contactEmail: 'not-an-email' }],
    ['an unknown field', 'body', { discountBps: 500 }],
    ['a blank name', 'body.name', { name: '   ' }],
    ['an ID with a space', 'body.customerId', { customerId: 'acme corp' }],
  ])('refuses %s with 400 at %s and creates nothing', async (_what, path, change) => {
    const body = customerBody(change);
    const problem = expectInvalid(await h.call('service', 'POST', '/customers', body), path);
    expect(problem.detail).toBe('The body is invalid.');
    await expectNoCustomer(body.customerId);
  });

  it('refuses a missing field, naming it', async () => {
    const { name: _name, ...body } = customerBody();
    expectInvalid(await h.call('service', 'POST', '/customers', body), 'body.name');
    await expectNoCustomer(body.customerId);
  });

  it('lists every failing field at once', async () => {
    const body = customerBody({ creditLimitMinor: -1, currency: 'usd', paymentTermsDays: 'thirty' });
    const problem = expectInvalid(await h.call('service', 'POST', '/customers', body), 'body.creditLimitMinor');
    expect(problem.errors!.map((e) => e.path)).toEqual(
      expect.arrayContaining(['body.creditLimitMinor', 'body.currency', 'body.paymentTermsDays']),
    );
    await expectNoCustomer(body.customerId);
  });
});

describe('POST /orders with bad fields starts no workflow', () => {
  const line = (change: Record<string, unknown>) => [{ ...LINES[0], ...change }, LINES[1]];
  it.each([
    ['a quantity as a string', 'body.lines.0.quantity', { lines: line({ quantity: '2' }) }],
    ['a quantity of 0', 'body.lines.0.quantity', { lines: line({ quantity: 0 }) }],
    ['a fractional quantity', 'body.lines.0.quantity', { lines: line({ quantity: 1.5 }) }],
    ['a negative price', 'body.lines.0.unitPriceMinor', { lines: line({ unitPriceMinor: -1 }) }],
    ['a fractional price', 'body.lines.0.unitPriceMinor', { lines: line({ unitPriceMinor: 12.5 }) }],
    ['an unknown field on a line', 'body.lines.0', { lines: line({ colour: 'red' }) }],
    ['no lines', 'body.lines', { lines: [] }],
    ['an unknown currency', 'body.currency', { currency: 'XYZ' }],
    ['a currency in lower case', 'body.currency', { currency: 'usd' }],
    ['a tax rate over 100%', 'body.taxRateBps', { taxRateBps: 10_001 }],
    ['an unknown policy', 'body.policy', { policy: 'lenient' }],
    ['an unknown field', 'body', { rush: true }],
    ['a price past the cap', 'body.lines.0.unitPriceMinor', { lines: line({ unitPriceMinor: 9_000_000_000_000_000 }) }],
  ])('refuses %s with 400 at %s', async (_what, path, change) => {
    const body = orderBody(customerId, change);
    expectInvalid(await h.call('service', 'POST', '/orders', body), path);
    await expectNoOrder(body.orderId);
  });

  // Rules across lines, which the document's schema cannot state: the body fits it, so 422.
  it.each([
    ['two lines with one ID', 'line IDs must be unique', { lines: [LINES[0], { ...LINES[1], lineId: LINES[0]!.lineId }] }],
    [
      'a subtotal past what money arithmetic keeps exact',
      "the order's subtotal (the sum of quantity × unitPriceMinor) must not exceed 10000000000000 minor units",
      { lines: [{ ...LINES[0], quantity: 1000, unitPriceMinor: 9_000_000_000_000 }] },
    ],
  ])('refuses %s with 422 at body.lines', async (_what, message, change) => {
    const body = orderBody(customerId, change);
    const problem = expectProblem(await h.call('service', 'POST', '/orders', body), 422, 'UNPROCESSABLE');
    expect(problem.errors).toEqual([{ path: 'body.lines', message }]);
    expect(problem.detail).toBe(`The order's lines cannot be taken: ${message}.`);
    await expectNoOrder(body.orderId);
  });

  it('refuses an order ID that is not a safe identifier', async () => {
    const body = orderBody(customerId, { orderId: 'ord 1' });
    expectInvalid(await h.call('service', 'POST', '/orders', body), 'body.orderId');
    expect(await getOrderRow(h.stack.database.db, 'ord 1')).toBeUndefined();
  });
});

describe('update bodies with bad fields leave the order as it was', () => {
  const payment = (change: Record<string, unknown>) => ({
    paymentReference: uniqueId('pay'),
    amountMinor: 10_000,
    currency: 'USD',
    method: 'bank_transfer',
    ...change,
  });
  it.each([
    ['a fractional amount', 'body.amountMinor', payment({ amountMinor: 12.5 })],
    ['a negative amount', 'body.amountMinor', payment({ amountMinor: -5 })],
    ['a zero amount', 'body.amountMinor', payment({ amountMinor: 0 })],
    ['an amount as a string', 'body.amountMinor', payment({ amountMinor: '100' })],
    ['an unknown currency', 'body.currency', payment({ currency: 'XYZ' })],
    ['a currency in lower case', 'body.currency', payment({ currency: 'usd' })],
    ['an unknown method', 'body.method', payment({ method: 'cash' })],
    ['a time that is not ISO-8601', 'body.receivedAt', payment({ receivedAt: 'yesterday' })],
    ['an unknown field', 'body', payment({ fee: 1 })],
  ])('a payment with %s: 400 at %s', async (_what, path, body) => {
    expectInvalid(await h.call('service', 'POST', `/orders/${invoiced.orderId}/payments`, body), path);
    await expectUnchanged(invoiced);
  });

  it.each([
    ['a quantity of 0', 'body.lines.0.quantity', { lines: [{ lineId: 'l1', quantity: 0 }] }],
    ['no lines', 'body.lines', { lines: [] }],
    ['a bad time', 'body.shippedAt', { lines: [{ lineId: 'l1', quantity: 1 }], shippedAt: '2026-13-40' }],
  ])('a shipment with %s: 400 at %s', async (_what, path, change) => {
    const body = { shipmentId: uniqueId('shp'), ...change };
    expectInvalid(await h.call('service', 'POST', `/orders/${pending.orderId}/shipments`, body), path);
    await expectUnchanged(pending);
  });

  it.each([
    ['credit decision', 'body.decision', 'credit-decision', { decision: 'maybe' }],
    ['cancellation', 'body.reason', 'cancel', { reason: '' }],
    ['dispute', 'body.amountMinor', 'disputes', { disputeId: uniqueId('dsp'), amountMinor: 1.5, reason: 'short' }],
    ['write-off', 'body.reason', 'write-off', {}],
  ])('a %s with a bad field: 400 at %s', async (_what, path, action, body) => {
    expectInvalid(await h.call('finance', 'POST', `/orders/${invoiced.orderId}/${action}`, body), path);
    await expectUnchanged(invoiced);
  });
});

describe('bad path parameters', () => {
  it.each([
    ['a space', 'params.orderId', 'ord%201'],
    ['a leading dot', 'params.orderId', '.hidden'],
    ['a slash', 'params.orderId', 'a%2Fb'],
  ])('GET /orders/:orderId with %s: 400', async (_what, path, id) => {
    expectInvalid(await h.call('operator', 'GET', `/orders/${id}`), path);
  });

  it('GET /orders/<200 characters>: 400 naming params.orderId', async () => {
    expectInvalid(await h.call('operator', 'GET', `/orders/${'a'.repeat(200)}`), 'params.orderId');
  });

  it('a malformed percent-encoding, answered before routing: the same problem body and request ID', async () => {
    const res = await h.call('operator', 'GET', '/orders/%E0%A4%A');
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.headers['x-request-id']).toBe(problem.requestId);
  });

  it('refuses an update to a bad order ID before it reaches Temporal', async () => {
    expectInvalid(await h.call('service', 'POST', `/orders/ord%201/cancel`, { reason: 'nope' }), 'params.orderId');
  });

  it('refuses a bad dispute ID', async () => {
    expectInvalid(
      await h.call('finance', 'POST', `/orders/${invoiced.orderId}/disputes/d%20x/resolution`, { outcome: 'rejected' }),
      'params.disputeId',
    );
    await expectUnchanged(invoiced);
  });

  it('refuses a bad customer ID on read and on change', async () => {
    expectInvalid(await h.call('operator', 'GET', '/customers/-acme'), 'params.customerId');
    expectInvalid(await h.call('finance', 'PATCH', '/customers/a%20b', { creditLimitMinor: 1 }), 'params.customerId');
  });
});

describe('GET /orders with a bad query', () => {
  it.each([
    ['limit=0', 'querystring.limit'],
    ['limit=1000', 'querystring.limit'],
    ['limit=ten', 'querystring.limit'],
    ['limit=2.5', 'querystring.limit'],
    ['status=nope', 'querystring.status'],
    ['overdue=yes', 'querystring.overdue'],
    ['dunningLevel=-1', 'querystring.dunningLevel'],
    ['dunningLevel=', 'querystring.dunningLevel'],
    ['limit=', 'querystring.limit'],
    ['customerId=a%20b', 'querystring.customerId'],
    ['sort=asc', 'querystring'],
  ])('?%s → 400 at %s', async (query, path) => {
    expectInvalid(await h.call('operator', 'GET', `/orders?${query}`), path);
  });

  it.each([
    ['garbage', 'garbage'],
    ['an opaque token', Buffer.from(JSON.stringify(['2026-11-23T03:00:00.123456Z', 'ord-1'])).toString('base64url')],
    ['a time that is not microseconds', '2026-11-23T03:00:00Z_ord-1'],
    ['a negative time', '-1_ord-1'],
    ['more than sixteen digits', '12345678901234567_ord-1'],
    ['no ID', '1795424460110000_'],
    ['an ID that is not one', '1795424460110000_-ord'],
    ['a NUL in the ID', '1795424460110000_a%00b'],
  ])('?cursor= %s → 400 at querystring.cursor', async (_what, cursor) => {
    expectInvalid(await h.call('operator', 'GET', `/orders?cursor=${cursor}`), 'querystring.cursor');
  });

  // Every cursor of the documented form is a place in the list, whether or not a page gave it.
  it.each([
    ['before every order', '0_a', 0],
    ['after every order', '9999999999999999_zzz', 1],
    ['empty: the first page', '', 1],
  ])('?cursor= %s → 200', async (_what, cursor, atLeast) => {
    const res = await h.call('operator', 'GET', `/orders?customerId=${customerId}&cursor=${cursor}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.length).toBeGreaterThanOrEqual(atLeast);
    if (atLeast === 0) expect(res.json()).toEqual({ items: [], nextCursor: null });
  });

  it('accepts a cursor it handed out', async () => {
    const first = await h.call('operator', 'GET', `/orders?customerId=${customerId}&limit=1`);
    expect(first.statusCode, first.body).toBe(200);
    const { items, nextCursor } = first.json();
    expect(items).toHaveLength(1);
    expect(nextCursor).toEqual(expect.any(String));
    const second = await h.call('operator', 'GET', `/orders?customerId=${customerId}&limit=1&cursor=${nextCursor}`);
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().items).toHaveLength(1);
    expect(second.json().items[0].orderId).not.toBe(items[0].orderId);
  });
});

describe('requests the order or the books refuse', () => {
  it('a payment before any invoice: 409, and the order is unchanged', async () => {
    const res = await h.call('service', 'POST', `/orders/${pending.orderId}/payments`, {
      paymentReference: uniqueId('pay'),
      amountMinor: 10_000,
      currency: 'USD',
      method: 'card',
    });
    expect(expectProblem(res, 409, 'CONFLICT').detail).toMatch(/no invoice/);
    await expectUnchanged(pending);
  });

  it('a payment in another currency than the invoice: 422, and nothing is applied', async () => {
    const res = await h.call('service', 'POST', `/orders/${invoiced.orderId}/payments`, {
      paymentReference: uniqueId('pay'),
      amountMinor: 10_000,
      currency: 'EUR',
      method: 'card',
    });
    expect(expectProblem(res, 422, 'UNPROCESSABLE').detail).toMatch(/EUR does not match the invoice currency USD/);
    await expectUnchanged(invoiced);
  });

  it('a shipment of a line not on the order: 422', async () => {
    const res = await h.call('service', 'POST', `/orders/${pending.orderId}/shipments`, {
      shipmentId: uniqueId('shp'),
      lines: [{ lineId: 'l9', quantity: 1 }],
    });
    expect(expectProblem(res, 422, 'UNPROCESSABLE').detail).toMatch(/line l9 is not on this order/);
    await expectUnchanged(pending);
  });

  it('shipping more than was ordered at once: 422', async () => {
    const res = await h.call('service', 'POST', `/orders/${pending.orderId}/shipments`, {
      shipmentId: uniqueId('shp'),
      lines: [{ lineId: 'l1', quantity: 11 }],
    });
    expect(expectProblem(res, 422, 'UNPROCESSABLE').detail).toMatch(/11 shipped of 10 ordered/);
    await expectUnchanged(pending);
  });

  it('shipping more than was ordered over two shipments: the second is 422 and changes nothing', async () => {
    const body = orderBody(customerId);
    expect((await h.call('service', 'POST', '/orders', body)).statusCode).toBe(201);
    const first = await h.call('service', 'POST', `/orders/${body.orderId}/shipments`, {
      shipmentId: uniqueId('shp'),
      lines: [{ lineId: 'l1', quantity: 6 }],
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().status).toBe('partially_shipped');
    const view = (await h.call('service', 'GET', `/orders/${body.orderId}`)).json();
    const second = await h.call('service', 'POST', `/orders/${body.orderId}/shipments`, {
      shipmentId: uniqueId('shp'),
      lines: [{ lineId: 'l1', quantity: 5 }],
    });
    expect(expectProblem(second, 422, 'UNPROCESSABLE').detail).toMatch(/11 shipped of 10 ordered/);
    await expectUnchanged({ orderId: body.orderId, view });
  });

  it('resolving a dispute the order does not have: 404', async () => {
    const res = await h.call('finance', 'POST', `/orders/${invoiced.orderId}/disputes/no-such-dispute/resolution`, {
      outcome: 'accepted',
    });
    expect(expectProblem(res, 404, 'NOT_FOUND').detail).toMatch(/dispute no-such-dispute does not exist/);
    await expectUnchanged(invoiced);
  });

  it('a credit decision when none is pending: 409', async () => {
    const res = await h.call('finance', 'POST', `/orders/${pending.orderId}/credit-decision`, { decision: 'reject' });
    expect(expectProblem(res, 409, 'CONFLICT').detail).toMatch(/no credit decision is pending/);
    await expectUnchanged(pending);
  });

  it('an update to an order that does not exist: 404', async () => {
    const id = uniqueId('no-such-order');
    const res = await h.call('service', 'POST', `/orders/${id}/shipments`, {
      shipmentId: uniqueId('shp'),
      lines: [{ lineId: 'l1', quantity: 1 }],
    });
    expect(expectProblem(res, 404, 'NOT_FOUND').detail).toBe(`Order ${id} does not exist.`);
    await expectNoOrder(id);
  });

  it("an order in a currency other than the customer's: 422, and no workflow", async () => {
    const body = orderBody(customerId, { currency: 'EUR' });
    const res = await h.call('service', 'POST', '/orders', body);
    expect(expectProblem(res, 422, 'UNPROCESSABLE').detail).toBe(`Customer ${customerId} is billed in USD; the order is in EUR.`);
    await expectNoOrder(body.orderId);
  });

  it('an order for a customer that does not exist: 422, and no workflow', async () => {
    const unknown = uniqueId('no-such-customer');
    const body = orderBody(unknown);
    const res = await h.call('service', 'POST', '/orders', body);
    expect(expectProblem(res, 422, 'UNPROCESSABLE').detail).toMatch(`Customer ${unknown} does not exist`);
    await expectNoOrder(body.orderId);
  });

  it('another order under an existing order ID: 409, and the first order is unchanged', async () => {
    const res = await h.call('service', 'POST', '/orders', { ...orderBody(customerId), orderId: pending.orderId, taxRateBps: 0 });
    expectProblem(res, 409, 'CONFLICT');
    await expectUnchanged(pending);
  });
});

describe('request IDs', () => {
  it("echoes the caller's x-request-id and names it in the problem", async () => {
    const requestId = uniqueId('shop-req');
    const res = await raw('POST', '/customers', '{', { 'content-type': 'application/json', 'x-request-id': requestId });
    expect(res.headers['x-request-id']).toBe(requestId);
    expect(expectProblem(res, 400, 'MALFORMED_JSON').requestId).toBe(requestId);
  });

  it('echoes it on a refusal from the order too', async () => {
    const requestId = uniqueId('shop-req');
    const res = await h.app.inject({
      method: 'POST',
      url: `/orders/${pending.orderId}/credit-decision`,
      headers: { authorization: `Bearer ${h.keys.finance.secret}`, 'x-request-id': requestId },
      payload: { decision: 'approve' },
    });
    expect(res.headers['x-request-id']).toBe(requestId);
    expect(expectProblem(res, 409, 'CONFLICT').requestId).toBe(requestId);
  });

  it('replaces one that is not a plain token, rather than echo or log it', async () => {
    for (const bad of ['a'.repeat(200), 'two words', 'line\u2028break']) {
      const res = await h.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
  });

  it('makes one up when the caller sends none', async () => {
    const res = await h.call('operator', 'GET', '/orders?limit=0');
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
