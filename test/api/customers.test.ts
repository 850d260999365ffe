// Customers through the API on the real stack: creating them (idempotently), reading their
// credit standing and open invoices, and changing their terms with an audit trail.
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../db/queries/audit.js';
import { getCustomer } from '../../db/queries/customers.js';
import { uniqueId } from '../helpers/database.js';
import { startDevServer } from '../helpers/temporal.js';
import { type ApiHarness, createCustomer, LINES, orderBody, useApi } from './harness.js';

let h: ApiHarness;
useApi(startDevServer, (harness) => {
  h = harness;
});

const db = () => h.stack.database.db;

function newCustomerBody(overrides: Record<string, unknown> = {}) {
  const customerId = uniqueId('cust');
  return {
    customerId,
    name: `Customer ${customerId}`,
    currency: 'USD',
    creditLimitMinor: 2_000_000,
    paymentTermsDays: 30,
    contactEmail: `ap@${customerId}.example`,
    ...overrides,
  };
}

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status, code, requestId: res.headers['x-request-id'] });
  return body as { detail: string; errors?: Array<{ path: string; message: string }> };
}

/** What orderBody's order costs: LINES (10 × 100.00 + 2 × 250.00) with 10% tax. */
const ORDER_TOTAL = 165_000;

const day = (isoDate: string, plusDays: number) =>
  new Date(Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`) + plusDays * 86_400_000).toISOString().slice(0, 10);

async function shipEverything(orderId: string) {
  const res = await h.call('service', 'POST', `/orders/${orderId}/shipments`, {
    shipmentId: uniqueId('shp'),
    lines: LINES.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
  });
  expect(res.statusCode, res.body).toBe(200);
  const order = res.json();
  expect(order.invoice).not.toBeNull();
  return order as { status: string; invoice: { invoiceNumber: string; issuedAt: string; dueDate: string; totalMinor: number } };
}

describe('POST /customers', () => {
  it('creates the customer: 201 with its Location and details', async () => {
    const body = newCustomerBody();
    const res = await h.call('service', 'POST', '/customers', body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe(`/customers/${body.customerId}`);
    const customer = res.json();
    expect(customer).toEqual({
      customerId: body.customerId,
      name: body.name,
      currency: 'USD',
      creditLimitMinor: 2_000_000,
      paymentTermsDays: 30,
      contactEmail: body.contactEmail,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(Date.parse(customer.createdAt)).not.toBeNaN();
    expect(await getCustomer(db(), body.customerId)).toMatchObject({ name: body.name, creditLimitMinor: 2_000_000 });
  });

  it('records no contact email when none is given', async () => {
    const { contactEmail: _omitted, ...body } = newCustomerBody();
    const res = await h.call('service', 'POST', '/customers', body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().contactEmail).toBeNull();
  });

  it('answers the same body again with 200 and the customer as stored', async () => {
    const body = newCustomerBody();
    const first = await h.call('service', 'POST', '/customers', body);
    expect(first.statusCode).toBe(201);
    const again = await h.call('service', 'POST', '/customers', body);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers.location).toBeUndefined();
    expect(again.json()).toEqual(first.json());
  });

  it.each([
    ['name', { name: 'Someone Else Ltd' }, 'name'],
    ['currency', { currency: 'EUR' }, 'currency'],
    ['contact email', { contactEmail: 'other@example.com' }, 'contactEmail'],
    ['limit and terms', { creditLimitMinor: 1, paymentTermsDays: 60 }, 'creditLimitMinor, paymentTermsDays'],
  ])('refuses other details (%s) under the same ID with 409 naming the field', async (_what, change, named) => {
    const body = newCustomerBody();
    expect((await h.call('service', 'POST', '/customers', body)).statusCode).toBe(201);
    const clash = await h.call('service', 'POST', '/customers', { ...body, ...change });
    const problem = expectProblem(clash, 409, 'CONFLICT');
    expect(problem.detail).toBe(`Customer ${body.customerId} already exists with another ${named}.`);
    expect(await getCustomer(db(), body.customerId)).toMatchObject({
      name: body.name,
      currency: 'USD',
      creditLimitMinor: 2_000_000,
      paymentTermsDays: 30,
      contactEmail: body.contactEmail,
    });
  });
});

describe('GET /customers/:customerId', () => {
  it('shows limit, terms and an untouched credit standing for a new customer', async () => {
    const body = newCustomerBody();
    await h.call('service', 'POST', '/customers', body);
    const res = await h.call('operator', 'GET', `/customers/${body.customerId}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      customerId: body.customerId,
      creditLimitMinor: 2_000_000,
      paymentTermsDays: 30,
      exposure: { openReceivablesMinor: 0, openOrdersMinor: 0, exposureMinor: 0, availableMinor: 2_000_000, overdueMinor: 0 },
      openInvoices: [],
    });
  });

  it('counts an open order, then its invoice and the balance left after a payment', async () => {
    const customerId = await createCustomer(h, { creditLimitMinor: 2_000_000 });
    const body = orderBody(customerId);
    const placed = await h.call('service', 'POST', '/orders', body);
    expect(placed.statusCode, placed.body).toBe(201);

    const withOrder = (await h.call('finance', 'GET', `/customers/${customerId}`)).json();
    expect(withOrder.exposure).toEqual({
      openReceivablesMinor: 0,
      openOrdersMinor: ORDER_TOTAL,
      exposureMinor: ORDER_TOTAL,
      availableMinor: 2_000_000 - ORDER_TOTAL,
      overdueMinor: 0,
    });
    expect(withOrder.openInvoices).toEqual([]);

    const shipped = await shipEverything(body.orderId);
    expect(shipped.invoice.totalMinor).toBe(ORDER_TOTAL);
    const invoiced = (await h.call('finance', 'GET', `/customers/${customerId}`)).json();
    expect(invoiced.exposure).toEqual({
      openReceivablesMinor: ORDER_TOTAL,
      openOrdersMinor: 0,
      exposureMinor: ORDER_TOTAL,
      availableMinor: 2_000_000 - ORDER_TOTAL,
      overdueMinor: 0,
    });
    expect(invoiced.openInvoices).toEqual([
      {
        invoiceNumber: shipped.invoice.invoiceNumber,
        orderId: body.orderId,
        issuedAt: shipped.invoice.issuedAt,
        dueDate: day(shipped.invoice.issuedAt, 30),
        totalMinor: ORDER_TOTAL,
        balanceMinor: ORDER_TOTAL,
      },
    ]);

    const paid = await h.call('service', 'POST', `/orders/${body.orderId}/payments`, {
      paymentReference: uniqueId('pay'),
      amountMinor: 40_000,
      currency: 'USD',
      method: 'bank_transfer',
    });
    expect(paid.statusCode, paid.body).toBe(201);
    const afterPayment = (await h.call('finance', 'GET', `/customers/${customerId}`)).json();
    expect(afterPayment.openInvoices).toEqual([expect.objectContaining({ totalMinor: ORDER_TOTAL, balanceMinor: ORDER_TOTAL - 40_000 })]);
    expect(afterPayment.exposure).toMatchObject({ openReceivablesMinor: ORDER_TOTAL - 40_000, exposureMinor: ORDER_TOTAL - 40_000 });
  });

  it('floors what is available at 0 when exposure passes the limit', async () => {
    const customerId = await createCustomer(h, { creditLimitMinor: 100_000 });
    const body = orderBody(customerId, {
      lines: [{ lineId: 'l1', sku: 'CRATE', description: 'Crate', quantity: 1, unitPriceMinor: 120_000 }],
      taxRateBps: 0,
    });
    const placed = await h.call('service', 'POST', '/orders', body);
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json().status).toBe('credit_hold');
    const res = await h.call('operator', 'GET', `/customers/${customerId}`);
    expect(res.json().exposure).toEqual({
      openReceivablesMinor: 0,
      openOrdersMinor: 120_000,
      exposureMinor: 120_000,
      availableMinor: 0,
      overdueMinor: 0,
    });
  });

  it('answers 404 for a customer that does not exist', async () => {
    const id = uniqueId('no-such-customer');
    const problem = expectProblem(await h.call('service', 'GET', `/customers/${id}`), 404, 'NOT_FOUND');
    expect(problem.detail).toBe(`Customer ${id} does not exist.`);
  });
});

describe('PATCH /customers/:customerId', () => {
  it('changes the limit and the terms and audits both, from and to', async () => {
    const id = await createCustomer(h);
    const before = await getCustomer(db(), id);
    const res = await h.call('finance', 'PATCH', `/customers/${id}`, { creditLimitMinor: 4_000_000, paymentTermsDays: 45 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ customerId: id, creditLimitMinor: 4_000_000, paymentTermsDays: 45 });
    expect(Date.parse(res.json().updatedAt)).toBeGreaterThanOrEqual(before!.updatedAt.getTime());

    const read = (await h.call('operator', 'GET', `/customers/${id}`)).json();
    expect(read).toMatchObject({ creditLimitMinor: 4_000_000, paymentTermsDays: 45, exposure: { availableMinor: 4_000_000 } });

    expect(await listAuditEvents(db(), 'customer', id)).toEqual([
      expect.objectContaining({
        action: 'customer.terms_changed',
        actor: h.keys.finance.name,
        actorKind: 'finance',
        detail: {
          from: { creditLimitMinor: 10_000_000, paymentTermsDays: 30 },
          to: { creditLimitMinor: 4_000_000, paymentTermsDays: 45 },
        },
      }),
    ]);
  });

  it('changes one field alone and audits only that field', async () => {
    const id = await createCustomer(h);
    const res = await h.call('finance', 'PATCH', `/customers/${id}`, { paymentTermsDays: 60 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ creditLimitMinor: 10_000_000, paymentTermsDays: 60 });
    const events = await listAuditEvents(db(), 'customer', id);
    expect(events.map((e) => e.detail)).toEqual([{ from: { paymentTermsDays: 30 }, to: { paymentTermsDays: 60 } }]);
  });

  it('audits each real change once: a repeated request changes nothing and records nothing', async () => {
    const id = await createCustomer(h);
    for (const limit of [5_000_000, 5_000_000, 7_000_000, 5_000_000]) {
      expect((await h.call('finance', 'PATCH', `/customers/${id}`, { creditLimitMinor: limit })).statusCode).toBe(200);
    }
    const events = await listAuditEvents(db(), 'customer', id);
    expect(events.map((e) => e.detail)).toEqual([
      { from: { creditLimitMinor: 10_000_000 }, to: { creditLimitMinor: 5_000_000 } },
      { from: { creditLimitMinor: 5_000_000 }, to: { creditLimitMinor: 7_000_000 } },
      { from: { creditLimitMinor: 7_000_000 }, to: { creditLimitMinor: 5_000_000 } },
    ]);
  });

  it('leaves running orders on the terms they started with; new orders get the new terms', async () => {
    const id = await createCustomer(h);
    const first = orderBody(id);
    expect((await h.call('service', 'POST', '/orders', first)).statusCode).toBe(201);
    expect((await h.call('finance', 'PATCH', `/customers/${id}`, { paymentTermsDays: 45 })).statusCode).toBe(200);
    const second = orderBody(id);
    expect((await h.call('service', 'POST', '/orders', second)).statusCode).toBe(201);

    const a = await shipEverything(first.orderId);
    const b = await shipEverything(second.orderId);
    expect(a.invoice.dueDate).toBe(day(a.invoice.issuedAt, 30));
    expect(b.invoice.dueDate).toBe(day(b.invoice.issuedAt, 45));
  });

  it('answers 404 for a customer that does not exist, and audits nothing', async () => {
    const id = uniqueId('no-such-customer');
    const problem = expectProblem(await h.call('finance', 'PATCH', `/customers/${id}`, { creditLimitMinor: 1 }), 404, 'NOT_FOUND');
    expect(problem.detail).toBe(`Customer ${id} does not exist.`);
    expect(await listAuditEvents(db(), 'customer', id)).toEqual([]);
  });

  it.each([
    ['an empty body', {}, 'body'],
    ['an unknown field', { creditLimitMinor: 1, name: 'Renamed' }, 'body'],
    ['a negative limit', { creditLimitMinor: -1 }, 'body.creditLimitMinor'],
    ['a fractional limit', { creditLimitMinor: 12.5 }, 'body.creditLimitMinor'],
    ['a limit as a string', { creditLimitMinor: '1000' }, 'body.creditLimitMinor'],
    ['terms over a year', { paymentTermsDays: 366 }, 'body.paymentTermsDays'],
    ['a valid field beside an invalid one', { creditLimitMinor: 5, paymentTermsDays: -3 }, 'body.paymentTermsDays'],
  ])('refuses %s with 400 and changes nothing', async (_what, body, path) => {
    const id = await createCustomer(h);
    const before = await getCustomer(db(), id);
    const problem = expectProblem(await h.call('finance', 'PATCH', `/customers/${id}`, body), 400, 'VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    expect(await getCustomer(db(), id)).toEqual(before);
    expect(await listAuditEvents(db(), 'customer', id)).toEqual([]);
  });
});
