// The worker is SIGKILLed while payments are being applied, many of them in flight (two per
// order, sent side by side), and started again. A payment answered 2xx is in the books and in
// the order; one answered 503 or 429, or not at all, is in both or in neither; no payment is
// applied or posted twice. Once the client has repeated what got no 2xx (the same reference:
// 201, or 200 as a duplicate), every order is paid in full, reconciled and closed.
import { expect, it } from 'vitest';
import {
  Attack,
  ORDER_TOTAL_MINOR,
  type OwnDatabase,
  type Request,
  type Stack,
  closeAttack,
  createCustomer,
  createOrders,
  expectSound,
  inPool,
  judgeAtRest,
  shipOrders,
  statusIs,
  unanswered,
  untilAnswered,
  useOwnStack,
} from './harness.js';

const ORDERS = 50;
const CONCURRENCY = 20;
/** The kill comes with this many payments answered: the rest are in flight or yet to be sent. */
const KILL_AFTER_ANSWERS = 10;
/** Two payments per order that together pay it in full. */
const FIRST_MINOR = 100_000;
const SECOND_MINOR = ORDER_TOTAL_MINOR - FIRST_MINOR;

let database: OwnDatabase;
let stack: Stack;

useOwnStack((own) => {
  stack = own;
  database = own.database;
});

const pay = (request: Request) =>
  stack.api.call('service', 'POST', `/orders/${request.orderId}/payments`, {
    paymentReference: request.id,
    amountMinor: request.amountMinor,
    currency: 'USD',
    method: 'bank_transfer',
    receivedAt: '2026-11-23T09:30:00Z',
  });

it('worker SIGKILLed while payments are applied, then restarted: nothing lost or doubled, every order closes', async ({ task }) => {
  const setup = new Attack('setup (customer, orders, shipments)');
  const customerId = await createCustomer(stack.api);
  const orderIds = await createOrders(stack.api, setup, customerId, ORDERS);
  await shipOrders(stack.api, setup, orderIds);

  const attack = new Attack('payments, worker SIGKILLed');
  const requests: Request[] = orderIds.flatMap((orderId): Request[] => [
    { kind: 'payment', orderId, id: `pay-a-${orderId}`, amountMinor: FIRST_MINOR, status: 0 },
    { kind: 'payment', orderId, id: `pay-b-${orderId}`, amountMinor: SECOND_MINOR, status: 0 },
  ]);
  let sent = 0;
  let answered = 0;
  let killed: Promise<void> | undefined;
  await inPool(requests, CONCURRENCY, async (request) => {
    sent += 1;
    const answer = attack.record(await pay(request));
    answered += 1;
    request.status = answer.status;
    if (answered === KILL_AFTER_ANSWERS && !killed) {
      attack.notes['in flight at the kill'] = sent - answered;
      killed = (async () => {
        const [{ n }] = await database.sql<[{ n: number }]>`select count(*)::int as n from payments`;
        attack.notes['payments in the books at the kill'] = n;
        await stack.engine.worker.kill('SIGKILL');
        await stack.engine.worker.start();
      })();
    }
  });
  await killed;
  expect(killed, 'the kill happened').toBeDefined();

  const before = await judgeAtRest(stack, orderIds, statusIs('awaiting_payment', 'closed'), requests);

  const retry = new Attack('payments repeated after 503/429/no answer');
  await inPool(
    requests.filter((r) => r.status !== 200 && r.status !== 201),
    CONCURRENCY,
    async (request) => {
      request.status = (await untilAnswered(retry, () => pay(request))).status;
    },
  );
  const after = await judgeAtRest(stack, orderIds, statusIs('closed'), requests);
  const findings = await closeAttack(stack, task, attack, orderIds, [before, after], [setup, attack, retry]);

  expectSound([before, after], findings);
  expect.soft(unanswered(requests), 'payments not answered 2xx after the repeats').toEqual([]);
  const [{ n, total }] = await database.sql<[{ n: number; total: number }]>`
    select count(*)::int as n, coalesce(sum(amount_minor), 0)::bigint::int as total from payments where order_id = any(${orderIds})`;
  expect.soft({ n, total }, 'payments in the books').toEqual({ n: ORDERS * 2, total: ORDERS * ORDER_TOTAL_MINOR });
});
