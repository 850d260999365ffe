// The Temporal dev server is SIGKILLed while orders move (created, shipped, paid) and started
// again on the same port and database file, ten seconds after the API noticed it gone. The worker and the API are not restarted: they
// reconnect by themselves. The API answers 503 meanwhile, never another 5xx; once the server
// is back every order closes, and what was answered 2xx is in the books and in the order, once.
import { expect, it } from 'vitest';
import {
  Attack,
  type Request,
  type Stack,
  closeAttack,
  createCustomer,
  expectSound,
  judgeAtRest,
  moveOrders,
  serverErrors,
  sleep,
  statusIs,
  uid,
  unanswered,
  useOwnStack,
} from './harness.js';

const ORDERS = 40;
const CONCURRENCY = 8;
/** The server is killed once this many orders are paid: the others are on their way. */
const KILL_AFTER_PAID = 8;
/** How long it stays down once the API has noticed. */
const DOWN_MS = 10_000;

let stack: Stack;

useOwnStack((own) => {
  stack = own;
});

it('Temporal dev server SIGKILLed under load and restarted on its file: only 503s meanwhile, nothing lost or doubled, every order closes', async ({ task }) => {
  const customerId = await createCustomer(stack.api);
  const orderIds = Array.from({ length: ORDERS }, (_, i) => `${uid('ord')}-${i}`);
  const attack = new Attack('orders moving (create, ship, pay), Temporal SIGKILLed and restarted');
  const requests: Request[] = [];
  let outage: Promise<void> | undefined;
  await moveOrders(stack.api, attack, customerId, orderIds, requests, {
    concurrency: CONCURRENCY,
    onPaid: (paid) => {
      if (paid !== KILL_AFTER_PAID || outage) return;
      attack.notes['orders paid at the kill'] = paid;
      outage = (async () => {
        const killedAt = Date.now();
        await stack.engine.temporal.kill('SIGKILL');
        // Down until the API has noticed (its /ready names Temporal), and some seconds more, so
        // that requests meet the outage rather than the clients' own retries hiding it.
        for (;;) {
          const ready = await stack.api.call(null, 'GET', '/ready');
          if (ready.status === 503 && ready.body?.checks?.temporal?.ok === false) break;
          await sleep(200);
        }
        await sleep(DOWN_MS);
        await stack.engine.temporal.start();
        attack.notes['seconds down'] = Math.round((Date.now() - killedAt) / 1_000);
      })();
    },
  });
  await outage;
  expect(outage, 'the server was killed').toBeDefined();
  const workerRunning = stack.engine.worker.running();
  const apiRunning = stack.engine.api.running();

  const judged = await judgeAtRest(stack, orderIds, statusIs('closed'), requests);
  const findings = await closeAttack(stack, task, attack, orderIds, [judged]);

  expect.soft({ workerRunning, apiRunning }, stack.engine.output().slice(-4_000)).toEqual({ workerRunning: true, apiRunning: true });
  expect.soft(serverErrors(stack, [attack]), '5xx other than 503').toEqual([]);
  expect.soft(unanswered(requests), 'requests the client could not settle').toEqual([]);
  expectSound([judged], findings);
});
