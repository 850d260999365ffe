// 100 identical `POST /orders` at once: the same order ID (the idempotency key) and the same
// body. One order comes of it: one row, its lines once, one workflow with one run, at most one
// 201 and every other 2xx a 200 with the same order. What the order refused (429, 503) the
// client repeats once the storm is over, a few at a time, until answered: 200, the same order. The order then ships, is paid and closes, books clean.
import { expect, it } from 'vitest';
import { orderWorkflowId } from '../../workflows/order/contract.js';
import {
  type Answer,
  Attack,
  FULL_SHIPMENT,
  LINES,
  ORDER_TOTAL_MINOR,
  type OwnDatabase,
  type Request,
  type Stack,
  closeAttack,
  createCustomer,
  expectSound,
  inPool,
  judgeAtRest,
  orderBody,
  serverErrors,
  sleep,
  statusIs,
  uid,
  untilAnswered,
  useOwnStack,
} from './harness.js';

const CREATES = 100;

let database: OwnDatabase;
let stack: Stack;

useOwnStack((own) => {
  stack = own;
  database = own.database;
});

it('100 concurrent identical creates: one order, one workflow, at most one 201, the rest the same order', async ({ task }) => {
  const customerId = await createCustomer(stack.api);
  const orderId = uid('ord');
  const body = orderBody(orderId, customerId);

  const attack = new Attack('100 identical POST /orders at once');
  const answers = await Promise.all(Array.from({ length: CREATES }, () => attack.send(stack.api, 'service', 'POST', '/orders', body)));
  // Once the storm is over, the client repeats each refused create, a few at a time: each is
  // answered 200 with the same order.
  const retry = new Attack('creates repeated after 503/429/no answer, 4 at a time');
  const repeats: Answer[] = [];
  await inPool(
    answers.filter((a) => a.status === 0 || a.status === 429 || a.status === 503),
    4,
    async () => {
      repeats.push(await untilAnswered(retry, () => stack.api.call('service', 'POST', '/orders', body)));
    },
  );
  const created = answers.filter((a) => a.status === 201).length;
  const orders = [...answers, ...repeats].filter((a) => a.status === 200 || a.status === 201).map((a) => a.body);

  const rows = await database.sql<Array<{ table: string; n: number }>>`
    select 'orders' as table, count(*)::int as n from orders where id = ${orderId}
    union all select 'order_lines', count(*)::int from order_lines where order_id = ${orderId}`;
  const duplicateEvents = await database.sql<Array<{ action: string; n: number }>>`
    select action, count(*)::int as n from audit_events where subject_id = ${orderId} group by action having count(*) > 1`;
  // Visibility lags a little behind the start: wait until it lists the order, then count its runs.
  const query = `WorkflowId = "${orderWorkflowId(orderId)}"`;
  let runs = 0;
  for (let i = 0; i < 60 && runs === 0; i += 1) {
    runs = (await stack.engine.client.workflow.count(query)).count;
    if (runs === 0) await sleep(500);
  }

  // The order goes on as any other: shipped, paid, closed.
  const requests: Request[] = [
    { kind: 'order', orderId, id: orderId, status: answers.find((a) => a.status === 201 || a.status === 200)?.status ?? 0 },
    { kind: 'shipment', orderId, id: `shp-${orderId}`, status: 0 },
    { kind: 'payment', orderId, id: `pay-${orderId}`, amountMinor: ORDER_TOTAL_MINOR, status: 0 },
  ];
  const after = new Attack('the order shipped and paid');
  requests[1]!.status = (await untilAnswered(after, () => stack.api.call('service', 'POST', `/orders/${orderId}/shipments`, { shipmentId: `shp-${orderId}`, lines: FULL_SHIPMENT }))).status;
  requests[2]!.status = (
    await untilAnswered(after, () =>
      stack.api.call('service', 'POST', `/orders/${orderId}/payments`, { paymentReference: `pay-${orderId}`, amountMinor: ORDER_TOTAL_MINOR, currency: 'USD', method: 'bank_transfer' }),
    )
  ).status;
  const judged = await judgeAtRest(stack, [orderId], statusIs('closed'), requests);
  attack.doubled += duplicateEvents.length + (runs > 1 ? runs - 1 : 0) + Math.max(0, created - 1);
  attack.notes['answered 201'] = created;
  attack.notes['workflow runs'] = runs;
  const findings = await closeAttack(stack, task, attack, [orderId], [judged], [attack, retry, after]);

  expect.soft(serverErrors(stack, [attack, retry, after]), '5xx other than 503').toEqual([]);
  expect.soft(created, 'answers 201').toBeLessThanOrEqual(1);
  expect.soft(repeats.filter((a) => a.status !== 200 && a.status !== 201).map((a) => `${a.status} ${a.text}`), 'repeats not answered 2xx').toEqual([]);
  expect.soft(answers.filter((a) => ![200, 201, 429, 503].includes(a.status)).map((a) => `${a.status} ${a.text}`), 'answers other than 200, 201, 429, 503').toEqual([]);
  expect.soft(new Set(orders.map((o) => `${o.orderId} ${o.status} ${o.credit?.outcome}`)), 'the orders the 2xx answers show').toEqual(new Set([`${orderId} awaiting_shipment approved`]));
  expect.soft(Object.fromEntries(rows.map((r) => [r.table, r.n])), 'rows').toEqual({ orders: 1, order_lines: LINES.length });
  expect.soft(duplicateEvents, 'audit events recorded more than once').toEqual([]);
  expect.soft(runs, 'workflow runs').toBe(1);
  expect.soft(requests.map((r) => r.status), 'create, shipment, payment').toEqual([requests[0]!.status, 200, 201]);
  expectSound([judged], findings);
});

