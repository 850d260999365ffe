// The worker is SIGKILLed while shipments that complete their orders are being invoiced, many
// of them in flight, and started again. Nothing a 2xx answered may be missing, no invoice may
// be issued twice or skip a number, and once the client has repeated what got no answer (as
// Retry-After tells it to), every order is invoiced and waits for payment.
import { expect, it } from 'vitest';
import {
  Attack,
  FULL_SHIPMENT,
  type OwnDatabase,
  type Request,
  type Stack,
  closeAttack,
  createCustomer,
  createOrders,
  expectSound,
  inPool,
  judgeAtRest,
  statusIs,
  unanswered,
  untilAnswered,
  useOwnStack,
} from './harness.js';

const ORDERS = 60;
const CONCURRENCY = 20;
/** The kill comes with this many shipments answered: the rest are in flight or yet to be sent. */
const KILL_AFTER_ANSWERS = 10;

let database: OwnDatabase;
let stack: Stack;

useOwnStack((own) => {
  stack = own;
  database = own.database;
});

it('worker SIGKILLed during invoicing, then restarted: nothing lost, no invoice doubled, every order invoiced', async ({ task }) => {
  const setup = new Attack('setup (customer, orders)');
  const customerId = await createCustomer(stack.api);
  const orderIds = await createOrders(stack.api, setup, customerId, ORDERS);

  const attack = new Attack('shipments completing orders, worker SIGKILLed');
  const requests: Request[] = orderIds.map((orderId) => ({ kind: 'shipment', orderId, id: `shp-${orderId}`, status: 0 }));
  let sent = 0;
  let answered = 0;
  let killed: Promise<void> | undefined;
  await inPool(requests, CONCURRENCY, async (request) => {
    sent += 1;
    const answer = await attack.send(stack.api, 'service', 'POST', `/orders/${request.orderId}/shipments`, {
      shipmentId: request.id,
      lines: FULL_SHIPMENT,
    });
    answered += 1;
    request.status = answer.status;
    if (answered === KILL_AFTER_ANSWERS && !killed) {
      // Synchronously with the answer: the pool's other requests are still waiting on theirs.
      attack.notes['in flight at the kill'] = sent - answered;
      killed = (async () => {
        const [{ n }] = await database.sql<[{ n: number }]>`select count(*)::int as n from invoices`;
        attack.notes['invoices issued at the kill'] = n;
        await stack.engine.worker.kill('SIGKILL');
        await stack.engine.worker.start();
      })();
    }
  });
  await killed;
  expect(killed, 'the kill happened').toBeDefined();

  // At rest, before any repeat: what was answered 2xx is there; what was not is either wholly there or not at all.
  const before = await judgeAtRest(stack, orderIds, statusIs('awaiting_shipment', 'awaiting_payment'), requests);

  // The client repeats each shipment that got no answer, 503 or 429: a repeat answers as the first attempt, 200.
  const retry = new Attack('shipments repeated after 503/429/no answer');
  await inPool(
    requests.filter((r) => r.status !== 200),
    CONCURRENCY,
    async (request) => {
      const answer = await untilAnswered(retry, () =>
        stack.api.call('service', 'POST', `/orders/${request.orderId}/shipments`, { shipmentId: request.id, lines: FULL_SHIPMENT }),
      );
      request.status = answer.status;
    },
  );
  const after = await judgeAtRest(stack, orderIds, statusIs('awaiting_payment'), requests);
  const findings = await closeAttack(stack, task, attack, orderIds, [before, after], [setup, attack, retry]);

  expectSound([before, after], findings);
  expect.soft(unanswered(requests), 'shipments not answered 200 after the repeats').toEqual([]);
  // Gapless: the invoices of these orders hold the numbers 1 to ORDERS of their series.
  const [{ n, first: lo, last: hi }] = await database.sql<[{ n: number; first: number; last: number }]>`
    select count(*)::int as n, min(sequence)::int as first, max(sequence)::int as last from invoices where order_id = any(${orderIds})`;
  expect.soft({ n, lo, hi }, 'invoice numbers').toEqual({ n: ORDERS, lo: 1, hi: ORDERS });
});
