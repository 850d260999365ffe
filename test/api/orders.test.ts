// Order routes through inject against the dev server, a real worker and PostgreSQL.
import { Client, Connection, type ConnectionOptions, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { listAuditEvents } from '../../db/queries/audit.js';
import { getOrderRow } from '../../db/queries/orders.js';
import { orderWorkflowId } from '../../workflows/order/contract.js';
import { uniqueId } from '../helpers/database.js';
import { startDevServer } from '../helpers/temporal.js';
import { eventually, testPolicy } from '../workflows/order/harness.js';
import { type ApiHarness, LINES, createCustomer, orderBody, useApi } from './harness.js';

const FORGETFUL = 'forgetful';
let h: ApiHarness;
useApi(() => startDevServer({ extraNamespaces: [FORGETFUL] }), (harness) => {
  h = harness;
});

// 10 × 100.00 + 2 × 250.00 = 1,500.00, plus 10% tax.
const TOTAL = 165_000;
const FULL_SHIPMENT = { shipmentId: 'sh-1', lines: LINES.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) };
const pay = (ref: string, amountMinor: number, currency = 'USD') => ({ paymentReference: ref, amountMinor, currency, method: 'bank_transfer' });

async function runs(orderId: string): Promise<number> {
  let n = 0;
  for await (const _ of h.env.client.workflow.list({ query: `WorkflowId = "${orderWorkflowId(orderId)}"` })) n += 1;
  return n;
}

/** An order created through the API and shipped in full: invoiced, waiting for payment. */
async function invoicedOrder(): Promise<{ orderId: string; customerId: string }> {
  const customerId = await createCustomer(h);
  const body = orderBody(customerId);
  expect((await h.call('service', 'POST', '/orders', body)).statusCode).toBe(201);
  const shipped = await h.call('service', 'POST', `/orders/${body.orderId}/shipments`, FULL_SHIPMENT);
  expect(shipped.statusCode, shipped.body).toBe(200);
  expect(shipped.json()).toMatchObject({ status: 'awaiting_payment', invoice: { totalMinor: TOTAL } });
  return { orderId: body.orderId, customerId };
}

describe('POST /orders', () => {
  it('starts the order and answers 201 with its state once credit is checked', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    const res = await h.call('service', 'POST', '/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe(`/orders/${body.orderId}`);
    expect(res.json()).toMatchObject({
      orderId: body.orderId,
      customerId,
      status: 'awaiting_shipment',
      credit: { outcome: 'approved', decidedBy: 'system' },
      nextStep: { what: 'cancel what has not shipped' },
    });
    const row = await getOrderRow(h.stack.database.db, body.orderId);
    expect(row).toMatchObject({ status: 'awaiting_shipment', totalMinor: TOTAL, paymentTermsDays: 30 });
  });

  it('takes the payment terms from the customer unless the order names its own', async () => {
    const customerId = await createCustomer(h, { paymentTermsDays: 45 });
    const own = orderBody(customerId, { paymentTermsDays: 10 });
    await h.call('service', 'POST', '/orders', own);
    const inherited = orderBody(customerId);
    await h.call('service', 'POST', '/orders', inherited);
    expect((await getOrderRow(h.stack.database.db, own.orderId))?.paymentTermsDays).toBe(10);
    expect((await getOrderRow(h.stack.database.db, inherited.orderId))?.paymentTermsDays).toBe(45);
  });

  it('answers a repeat of the same order with 200 and the same order, starting nothing new', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    const first = await h.call('service', 'POST', '/orders', body);
    // Same content with keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await h.call('service', 'POST', '/orders', reordered);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers.location).toBeUndefined();
    expect(again.json().orderId).toBe(body.orderId);
    expect(again.json().timeline).toEqual(expect.arrayContaining(first.json().timeline));
    expect(await runs(body.orderId)).toBe(1);
  });

  it('creates one order when the same request arrives twice at once', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    const answers = await Promise.all([h.call('service', 'POST', '/orders', body), h.call('service', 'POST', '/orders', body)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 201]);
    expect(await runs(body.orderId)).toBe(1);
  });

  it('refuses another body under a taken order ID with 409 and changes nothing', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    await h.call('service', 'POST', '/orders', body);
    const clash = await h.call('service', 'POST', '/orders', { ...body, lines: [{ ...LINES[0], quantity: 99 }] });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(clash.json()).toMatchObject({ code: 'CONFLICT', detail: expect.stringContaining('different details') });
    const now = await h.call('operator', 'GET', `/orders/${body.orderId}`);
    expect(now.json().lines).toEqual(LINES);
  });

  it('answers with credit_hold when the order takes the customer over its limit', async () => {
    const customerId = await createCustomer(h, { creditLimitMinor: 150_000 });
    const res = await h.call('service', 'POST', '/orders', orderBody(customerId));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'credit_hold', credit: { outcome: 'held' }, nextStep: { what: 'escalate the credit review' } });
  });

  it('offers the demo policy only where the server enables it', async () => {
    const customerId = await createCustomer(h, { paymentTermsDays: 0 });
    const res = await h.call('service', 'POST', '/orders', orderBody(customerId, { policy: 'demo' }));
    expect(res.statusCode, res.body).toBe(201);

    const standardOnly = await buildApp({
      temporal: h.env.client,
      namespace: h.env.namespace ?? 'default',
      database: h.stack.database,
      orderTaskQueue: h.stack.taskQueue,
    });
    try {
      const body = orderBody(customerId, { policy: 'demo' });
      const refused = await standardOnly.inject({
        method: 'POST',
        url: '/orders',
        headers: { authorization: `Bearer ${h.keys.service.secret}` },
        payload: body,
      });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json()).toMatchObject({ code: 'UNPROCESSABLE', detail: 'Policy "demo" is not offered by this server.' });
      expect(await runs(body.orderId)).toBe(0);
    } finally {
      await standardOnly.close();
    }
  });
});

describe('GET /orders/:orderId', () => {
  it('is 404 for an order that never existed', async () => {
    const res = await h.call('operator', 'GET', `/orders/${uniqueId('none')}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });
});

describe('order updates', () => {
  it('takes an order from shipment to reconciled cash, and a closed order still answers', async () => {
    const { orderId } = await invoicedOrder();
    const partial = await h.call('service', 'POST', `/orders/${orderId}/payments`, pay('p-1', 65_000));
    expect(partial.statusCode, partial.body).toBe(201);
    expect(partial.json()).toMatchObject({ duplicate: false, balanceMinor: 100_000, order: { status: 'awaiting_payment' } });

    const rest = await h.call('service', 'POST', `/orders/${orderId}/payments`, pay('p-2', 100_000));
    expect(rest.statusCode).toBe(201);
    expect(rest.json().balanceMinor).toBe(0);
    const closed = await eventually(async () => {
      const res = await h.call('finance', 'GET', `/orders/${orderId}`);
      expect(res.json().status).toBe('closed');
      return res.json();
    });
    expect(closed.closedReason).toBe('paid and reconciled');
    // Who reported what: the service key's name, on the order, the shipment and each payment.
    const reporters = await h.stack.database.rows<{ what: string; by: string | null }>(sql`
      select 'order' as what, created_by as by from orders where id = ${orderId}
      union all select 'shipment', reported_by from shipments where order_id = ${orderId}
      union all select 'payment', reported_by from payments where order_id = ${orderId}`);
    expect(reporters).toEqual(
      ['order', 'shipment', 'payment', 'payment'].map((what) => expect.objectContaining({ what, by: h.keys.service.name })),
    );

    // A payment repeated after the order closed is answered from the books, changing nothing.
    const repeat = await eventually(async () => {
      const res = await h.call('service', 'POST', `/orders/${orderId}/payments`, pay('p-2', 100_000));
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    });
    expect(repeat).toMatchObject({ duplicate: true, balanceMinor: 0, order: { status: 'closed' } });
    const altered = await h.call('service', 'POST', `/orders/${orderId}/payments`, pay('p-2', 99_000));
    expect(altered.statusCode, altered.body).toBe(409);
    expect(altered.json().detail).toContain('already used');

    // So is a shipment repeated after it closed; the same ID with other lines is refused.
    const shipped = await h.call('service', 'POST', `/orders/${orderId}/shipments`, FULL_SHIPMENT);
    expect(shipped.statusCode, shipped.body).toBe(200);
    expect(shipped.json()).toMatchObject({ status: 'closed', shipments: [{ shipmentId: FULL_SHIPMENT.shipmentId }] });
    const reshipped = await h.call('service', 'POST', `/orders/${orderId}/shipments`, { ...FULL_SHIPMENT, lines: FULL_SHIPMENT.lines.slice(1) });
    expect(reshipped.statusCode, reshipped.body).toBe(409);
    expect(reshipped.json().detail).toBe(`shipment ${FULL_SHIPMENT.shipmentId} was already recorded with other lines`);

    // Anything else a closed order is sent is 409, naming its state.
    const late = await h.call('service', 'POST', `/orders/${orderId}/shipments`, { shipmentId: 'late', lines: [{ lineId: 'l1', quantity: 1 }] });
    expect(late.statusCode, late.body).toBe(409);
    expect(late.json().detail).toContain('closed');
  });

  it('answers a repeated payment reference with duplicate: true and takes the money once', async () => {
    const { orderId } = await invoicedOrder();
    const first = await h.call('service', 'POST', `/orders/${orderId}/payments`, pay('dup-1', 10_000));
    const again = await h.call('service', 'POST', `/orders/${orderId}/payments`, pay('dup-1', 10_000));
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true, balanceMinor: TOTAL - 10_000 });
    expect(again.json().order.payments).toHaveLength(1);
    // The same reference with another amount or method is not a repeat: refused, nothing taken.
    for (const other of [pay('dup-1', 20_000), { ...pay('dup-1', 10_000), method: 'card' }]) {
      const clash = await h.call('service', 'POST', `/orders/${orderId}/payments`, other);
      expect(clash.statusCode, clash.body).toBe(409);
    }
    expect((await h.call('service', 'GET', `/orders/${orderId}`)).json()).toMatchObject({ balanceMinor: TOTAL - 10_000 });
  });

  it('refuses a payment reference already applied to another order with 409', async () => {
    const a = await invoicedOrder();
    const b = await invoicedOrder();
    const ref = uniqueId('ref');
    expect((await h.call('service', 'POST', `/orders/${a.orderId}/payments`, pay(ref, 5_000))).statusCode).toBe(201);
    const reused = await h.call('service', 'POST', `/orders/${b.orderId}/payments`, pay(ref, 5_000));
    expect(reused.statusCode, reused.body).toBe(409);
    expect(reused.json().detail).toContain('another order');
    expect((await h.call('service', 'GET', `/orders/${b.orderId}`)).json().payments).toEqual([]);
  });

  it('is 404 for every update to an order that never existed', async () => {
    const id = uniqueId('none');
    const sends: Array<[string, string, unknown]> = [
      ['service', 'shipments', FULL_SHIPMENT],
      ['service', 'payments', pay('x', 1)],
      ['finance', 'credit-decision', { decision: 'approve' }],
      ['finance', 'disputes', { disputeId: 'd', amountMinor: 1, reason: 'r' }],
      ['finance', 'disputes/d/resolution', { outcome: 'rejected' }],
      ['service', 'cancel', { reason: 'r' }],
      ['finance', 'write-off', { reason: 'r' }],
    ];
    for (const [role, path, body] of sends) {
      const res = await h.call(role as 'service', 'POST', `/orders/${id}/${path}`, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(404);
    }
  });

  it('records the finance key as the decider of a held order and answers the new state', async () => {
    const customerId = await createCustomer(h, { creditLimitMinor: 150_000 });
    const body = orderBody(customerId);
    await h.call('service', 'POST', '/orders', body);
    const approved = await h.call('finance', 'POST', `/orders/${body.orderId}/credit-decision`, { decision: 'approve', comment: 'good payer' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'awaiting_shipment',
      credit: { outcome: 'approved', decidedBy: h.keys.finance.name, comment: 'good payer' },
    });
    const again = await h.call('finance', 'POST', `/orders/${body.orderId}/credit-decision`, { decision: 'reject' });
    expect(again.statusCode).toBe(409);
    const audit = await listAuditEvents(h.stack.database.db, 'order', body.orderId);
    expect(audit).toContainEqual(expect.objectContaining({ actor: h.keys.finance.name, actorKind: 'finance', action: 'credit.approved' }));
  });

  it('cancels before invoicing and audits the service key as a service', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    await h.call('service', 'POST', '/orders', body);
    const res = await h.call('service', 'POST', `/orders/${body.orderId}/cancel`, { reason: 'customer changed their mind' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', closedReason: expect.stringContaining(h.keys.service.name) });
    const audit = await listAuditEvents(h.stack.database.db, 'order', body.orderId);
    expect(audit).toContainEqual(expect.objectContaining({ actor: h.keys.service.name, actorKind: 'service', action: 'order.cancel_requested' }));
  });

  it('opens and resolves a dispute as finance: accepted in part, a credit note for that part', async () => {
    const { orderId } = await invoicedOrder();
    const opened = await h.call('finance', 'POST', `/orders/${orderId}/disputes`, { disputeId: 'd-1', amountMinor: 20_000, reason: 'two widgets damaged' });
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json()).toMatchObject({ status: 'disputed', disputes: [{ disputeId: 'd-1', openedBy: h.keys.finance.name, status: 'open' }] });
    const resolved = await h.call('finance', 'POST', `/orders/${orderId}/disputes/d-1/resolution`, { outcome: 'accepted', acceptedMinor: 15_000 });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({
      status: 'awaiting_payment',
      balanceMinor: TOTAL - 15_000,
      creditNotes: [{ amountMinor: 15_000 }],
      disputes: [{ status: 'accepted', acceptedMinor: 15_000, resolvedBy: h.keys.finance.name }],
    });
    const twice = await h.call('finance', 'POST', `/orders/${orderId}/disputes/d-1/resolution`, { outcome: 'rejected' });
    expect(twice.statusCode).toBe(409);
  });

  it('refuses a write-off of an order not in collections with 409', async () => {
    const { orderId } = await invoicedOrder();
    const res = await h.call('finance', 'POST', `/orders/${orderId}/write-off`, { reason: 'uncollectable' });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('collections');
  });
});

describe('a closed order Temporal no longer knows (past retention)', () => {
  it('reads the same from the database, and a repeat of its creation is answered from there', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    await h.call('service', 'POST', '/orders', body);
    const cancelled = await h.call('service', 'POST', `/orders/${body.orderId}/cancel`, { reason: 'duplicate order' });
    expect(cancelled.json().status).toBe('cancelled');
    await h.env.client.workflow.getHandle(orderWorkflowId(body.orderId)).result();
    const live = (await h.call('operator', 'GET', `/orders/${body.orderId}`)).json();

    // The same database behind a namespace that never saw the order: to the API this is
    // exactly an order whose execution retention has removed (deleting one takes the dev
    // server half a minute).
    const elsewhere = await buildApp({
      temporal: new Client({ connection: h.env.connection, namespace: FORGETFUL }),
      namespace: FORGETFUL,
      database: h.stack.database,
    });
    try {
      const as = { authorization: `Bearer ${h.keys.service.secret}` };
      const read = await elsewhere.inject({ method: 'GET', url: `/orders/${body.orderId}`, headers: as });
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json()).toEqual(live);
      const repeat = await elsewhere.inject({ method: 'POST', url: '/orders', headers: as, payload: body });
      expect(repeat.statusCode, repeat.body).toBe(200);
      expect(repeat.json()).toEqual(live);
      const clash = await elsewhere.inject({ method: 'POST', url: '/orders', headers: as, payload: { ...body, taxRateBps: 0 } });
      expect(clash.statusCode).toBe(409);
      const late = await elsewhere.inject({ method: 'POST', url: `/orders/${body.orderId}/cancel`, headers: as, payload: { reason: 'again' } });
      expect(late.statusCode).toBe(409);
      // Nothing was started in its place.
      const started = new Client({ connection: h.env.connection, namespace: FORGETFUL }).workflow.getHandle(orderWorkflowId(body.orderId));
      await expect(started.describe()).rejects.toThrow(/not found/i);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('an open order whose workflow Temporal no longer knows (terminated, then past retention)', () => {
  it('is never started again under its ID: the same body and another are both 409', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    expect((await h.call('service', 'POST', '/orders', body)).statusCode).toBe(201);
    await h.env.client.workflow.getHandle(orderWorkflowId(body.orderId)).terminate('stuck, ended by hand');
    const elsewhere = await buildApp({
      temporal: new Client({ connection: h.env.connection, namespace: FORGETFUL }),
      namespace: FORGETFUL,
      database: h.stack.database,
    });
    try {
      const as = { authorization: `Bearer ${h.keys.service.secret}` };
      const same = await elsewhere.inject({ method: 'POST', url: '/orders', headers: as, payload: body });
      expect(same.statusCode, same.body).toBe(409);
      expect(same.json().detail).toContain('workflow is gone');
      const other = await elsewhere.inject({ method: 'POST', url: '/orders', headers: as, payload: { ...body, lines: [LINES[0]] } });
      expect(other.statusCode).toBe(409);
      expect(other.json().detail).toContain('different details');
      const started = new Client({ connection: h.env.connection, namespace: FORGETFUL }).workflow.getHandle(orderWorkflowId(body.orderId));
      await expect(started.describe()).rejects.toThrow(/not found/i);
    } finally {
      await elsewhere.close();
    }
  });
});

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

describe('an order whose workflow cannot answer', () => {
  it('gets 503 with Retry-After when no worker answers in time, and a closed order still reads from the database', async () => {
    // Every call the app makes to Temporal, with the deadline it carries.
    const calls: Array<{ method: string; deadline: number }> = [];
    const recordCalls: GrpcInterceptor = (options, next) => {
      calls.push({ method: options.method_definition.path.split('/').pop()!, deadline: Number(options.deadline) });
      // Passes the call on untouched (grpc-js types ask for its own class; any call will do).
      return next(options) as ReturnType<GrpcInterceptor>;
    };
    const connection = await Connection.connect({
      address: h.env.address,
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), recordCalls],
    });
    const timeoutMs = 1_000;
    const slow = await buildApp({
      temporal: new Client({ connection, namespace: h.env.namespace ?? 'default' }),
      namespace: h.env.namespace ?? 'default',
      database: h.stack.database,
      temporalTimeouts: { updateMs: timeoutMs, queryMs: timeoutMs },
    }, { logger: { level: 'error' } });
    const as = { authorization: `Bearer ${h.keys.service.secret}` };
    const orderId = uniqueId('orphan');
    // No worker polls this queue.
    const handle = await h.env.client.workflow.start('orderWorkflow', {
      workflowId: orderWorkflowId(orderId),
      taskQueue: uniqueId('nobody'),
      args: [{ orderId, customerId: 'c', currency: 'USD', lines: LINES, taxRateBps: 0, paymentTermsDays: 30, policy: testPolicy() }],
    });
    try {
      for (const [method, url, payload] of [
        ['POST', `/orders/${orderId}/cancel`, { reason: 'no answer' }],
        ['GET', `/orders/${orderId}`, undefined],
      ] as const) {
        calls.length = 0;
        const sentFrom = Date.now();
        const res = await slow.inject({ method, url, headers: as, ...(payload ? { payload } : {}) });
        const answeredAt = Date.now();
        expect(res.statusCode, res.body).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        expect(res.json()).toMatchObject({ code: 'UNAVAILABLE', detail: expect.stringContaining('worker') });
        // It gave up at its own deadline: every call to the order carried the configured
        // timeout from the moment the request was handled, however long the machine took.
        expect(calls.length, `${method} ${url}`).toBeGreaterThan(0);
        for (const call of calls) {
          expect(call.deadline, call.method).toBeGreaterThanOrEqual(sentFrom + timeoutMs);
          expect(call.deadline, call.method).toBeLessThanOrEqual(answeredAt + timeoutMs);
        }
      }
      // A closed order needs no worker: its final state is in the database.
      const customerId = await createCustomer(h);
      const body = orderBody(customerId);
      await h.call('service', 'POST', '/orders', body);
      const cancelled = (await h.call('service', 'POST', `/orders/${body.orderId}/cancel`, { reason: 'not needed' })).json();
      await h.env.client.workflow.getHandle(orderWorkflowId(body.orderId)).result();
      const read = await eventually(async () => {
        const res = await slow.inject({ method: 'GET', url: `/orders/${body.orderId}`, headers: as });
        expect(res.statusCode, res.body).toBe(200);
        return res.json();
      });
      expect(read).toMatchObject({ orderId: body.orderId, status: 'cancelled', closedReason: cancelled.closedReason });
    } finally {
      await handle.terminate('test over');
      await slow.close();
      await connection.close();
    }
  });

  it('answers 409 to a repeat of an order an operator terminated', async () => {
    const customerId = await createCustomer(h);
    const body = orderBody(customerId);
    expect((await h.call('service', 'POST', '/orders', body)).statusCode).toBe(201);
    await h.env.client.workflow.getHandle(orderWorkflowId(body.orderId)).terminate('stuck, ended by hand');
    const again = await h.call('service', 'POST', '/orders', body);
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().detail).toContain('terminated');
    expect(await runs(body.orderId)).toBe(1);
  });
});

describe('GET /orders', () => {
  it('filters by customer, status and dunning level, and pages without skipping or repeating', async () => {
    const customerId = await createCustomer(h);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const body = orderBody(customerId);
      ids.push(body.orderId);
      expect((await h.call('service', 'POST', '/orders', body)).statusCode).toBe(201);
    }
    await h.call('service', 'POST', `/orders/${ids[0]}/cancel`, { reason: 'not needed' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.call('operator', 'GET', `/orders?customerId=${customerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: Array<{ orderId: string }>; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((o) => o.orderId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const cancelled = (await h.call('operator', 'GET', `/orders?customerId=${customerId}&status=cancelled`)).json();
    expect(cancelled.items.map((o: { orderId: string }) => o.orderId)).toEqual([ids[0]]);
    expect(cancelled.items[0]).toMatchObject({ status: 'cancelled', totalMinor: TOTAL, closedAt: expect.any(String) });
    const waiting = (await h.call('operator', 'GET', `/orders?customerId=${customerId}&status=awaiting_shipment&dunningLevel=0`)).json();
    expect(waiting.items).toHaveLength(4);
    expect((await h.call('operator', 'GET', `/orders?customerId=${customerId}&dunningLevel=1`)).json().items).toEqual([]);
    expect((await h.call('operator', 'GET', `/orders?customerId=${customerId}&overdue=true`)).json().items).toEqual([]);
  });

  it('finds an order at a dunning level under the demo policy', async () => {
    const customerId = await createCustomer(h, { paymentTermsDays: 0 });
    const body = orderBody(customerId, { policy: 'demo' });
    await h.call('service', 'POST', '/orders', body);
    await h.call('service', 'POST', `/orders/${body.orderId}/shipments`, FULL_SHIPMENT);
    const listed = await eventually(async () => {
      const res = (await h.call('operator', 'GET', `/orders?customerId=${customerId}&dunningLevel=1`)).json();
      expect(res.items).toHaveLength(1);
      return res.items[0];
    });
    expect(listed).toMatchObject({ orderId: body.orderId, dunningLevel: 1, amountDueMinor: TOTAL, invoiceNumber: expect.stringMatching(/^DEMO/) });
  });
});
