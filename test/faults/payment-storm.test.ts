// 1,000 distinct payments to one invoiced order, 200 at a time, over HTTP. The order refuses
// what it cannot take at once (429, or 503 when an answer does not come in time); the client
// does not repeat them. Each payment is small, and all of them together less than the
// invoice, so the order stays open and its balance is known: the invoice less what it took.
// A payment answered 2xx is in the books and in the order; one answered 429, 503 or not at
// all is in both or in neither: the books never hold a payment the order does not. Nothing is
// applied or posted twice; the order's view, its row and the ledger agree.
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
  serverErrors,
  shipOrders,
  statusIs,
  useOwnStack,
} from './harness.js';

const PAYMENTS = 1_000;
const CONCURRENCY = 200;
const AMOUNT_MINOR = 100;

let database: OwnDatabase;
let stack: Stack;

useOwnStack((own) => {
  stack = own;
  database = own.database;
});

it('1,000 distinct payments to one order, 200 concurrent: every payment in the books is in the order, nothing doubled', async ({ task }) => {
  expect(PAYMENTS * AMOUNT_MINOR).toBeLessThan(ORDER_TOTAL_MINOR);
  const setup = new Attack('setup (customer, order, shipment)');
  const customerId = await createCustomer(stack.api);
  const [orderId] = await createOrders(stack.api, setup, customerId, 1);
  await shipOrders(stack.api, setup, [orderId!]);

  const attack = new Attack('1,000 payments to one order, 200 concurrent');
  const requests: Request[] = Array.from({ length: PAYMENTS }, (_, i) => ({
    kind: 'payment',
    orderId: orderId!,
    id: `pay-${i}-${orderId}`,
    amountMinor: AMOUNT_MINOR,
    status: 0,
  }));
  await inPool(requests, CONCURRENCY, async (request) => {
    const answer = await attack.send(stack.api, 'service', 'POST', `/orders/${orderId}/payments`, {
      paymentReference: request.id,
      amountMinor: AMOUNT_MINOR,
      currency: 'USD',
      method: 'card',
      receivedAt: '2026-11-23T09:30:00Z',
    });
    request.status = answer.status;
  });

  const judged = await judgeAtRest(stack, [orderId!], statusIs('awaiting_payment'), requests);
  const order = judged.rest.orders.get(orderId!);
  const [books] = await database.sql<[{ n: number; total: number }]>`
    select count(*)::int as n, coalesce(sum(amount_minor), 0)::bigint::int as total from payments where order_id = ${orderId!}`;
  const inOrder = order?.view.payments.length ?? 0;
  // Refused by the order (429) yet applied: the server refused a repeat of an update it had admitted.
  const applied = new Set(order?.view.payments.map((p) => p.paymentReference));
  attack.notes['answered 429 yet applied'] = requests.filter((r) => r.status === 429 && applied.has(r.id)).length;
  const accepted = requests.filter((r) => r.status === 201).length;
  attack.notes['payments in the books'] = books.n;
  attack.notes['payments in the order'] = inOrder;
  attack.notes['answered 201'] = accepted;
  const findings = await closeAttack(stack, task, attack, [orderId!], [judged], [setup, attack]);

  expect.soft(serverErrors(stack, [attack]), '5xx other than 503').toEqual([]);
  // Only fresh payments were sent: no answer is a duplicate's 200.
  expect.soft(attack.count(200), 'answers 200 (a duplicate)').toBe(0);
  expectSound([judged], findings);
  // Every payment answered 201 is in both (the verdict); the books and the order hold the same payments.
  expect.soft(books.n, 'payments in the books, against those in the order').toBe(inOrder);
  expect.soft(order!.view.balanceMinor, 'the balance: the invoice less the payments in the books').toBe(ORDER_TOTAL_MINOR - books.total);
  expect.soft(order!.view.customerCreditMinor, 'customer credit').toBe(0);
});
