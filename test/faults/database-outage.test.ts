// PostgreSQL stops for 15 seconds while orders move (created, shipped, paid) and starts again.
// The API answers 503 meanwhile, never another 5xx; the worker's activities retry; once the
// database is back every order closes, and what was answered 2xx is in the books and in the
// order, once. The database is a cluster of the test's own: the run's shared server is never
// stopped.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ThrowawayCluster, createThrowawayCluster } from '../helpers/cluster.js';
import {
  Attack,
  type OwnDatabase,
  type Request,
  type Stack,
  closeAttack,
  createCustomer,
  expectSound,
  judgeAtRest,
  moveOrders,
  ownDatabase,
  serverErrors,
  sleep,
  startStack,
  statusIs,
  uid,
  unanswered,
} from './harness.js';

const ORDERS = 40;
const CONCURRENCY = 8;
/** The database stops once this many orders are paid: the others are on their way. */
const STOP_AFTER_PAID = 8;
const DOWN_MS = 15_000;

let cluster: ThrowawayCluster;
let database: OwnDatabase;
let stack: Stack;

beforeAll(async () => {
  cluster = await createThrowawayCluster('faults');
  database = await ownDatabase(cluster.url());
  stack = await startStack(database);
});

afterAll(async () => {
  // Whatever happened, the cluster is started again so that everything can stop cleanly.
  await cluster?.start().catch(() => {});
  await stack?.stop();
  await database?.drop().catch(() => {});
  await cluster?.drop();
});

it('PostgreSQL stopped for 15 s under load, then started: only 503s meanwhile, nothing lost or doubled, every order closes', async ({ task }) => {
  const customerId = await createCustomer(stack.api);
  const orderIds = Array.from({ length: ORDERS }, (_, i) => `${uid('ord')}-${i}`);
  const attack = new Attack('orders moving (create, ship, pay), PostgreSQL stopped 15 s');
  const requests: Request[] = [];
  let outage: Promise<void> | undefined;
  await moveOrders(stack.api, attack, customerId, orderIds, requests, {
    concurrency: CONCURRENCY,
    onPaid: (paid) => {
      if (paid !== STOP_AFTER_PAID || outage) return;
      attack.notes['orders paid when it stopped'] = paid;
      outage = (async () => {
        await cluster.stop();
        const sentBefore = attack.sent;
        await sleep(DOWN_MS);
        attack.notes['requests answered while it was down'] = attack.sent - sentBefore;
        await cluster.start();
      })();
    },
  });
  await outage;
  expect(outage, 'the database was stopped').toBeDefined();

  const judged = await judgeAtRest(stack, orderIds, statusIs('closed'), requests);
  const findings = await closeAttack(stack, task, attack, orderIds, [judged]);

  expect.soft(serverErrors(stack, [attack]), '5xx other than 503').toEqual([]);
  expect.soft(unanswered(requests), 'requests the client could not settle').toEqual([]);
  expectSound([judged], findings);
});
