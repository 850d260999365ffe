// What Temporal alone costs for an order-shaped workflow, to hold the engine against.
// Both run the happy-path order's messages and timers: created by Update-with-Start
// (submit), a shipment update, a payment update that answers once the order is closed, a
// fulfillment deadline the shipment beats and a payment wait the payment beats.
// - floor: nothing else, so the server's round trips are all it costs.
// - naive: one regular activity per step where the engine runs a short local one.
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BaselineActivities } from './activities.js';

export const BASELINE_TASK_QUEUE = 'bench-baseline';

export type BaselineOrder = Record<string, unknown>;
export interface BaselineState {
  status: 'received' | 'awaiting_shipment' | 'awaiting_payment' | 'closed';
  order: BaselineOrder;
}

export const submitBaselineUpdate = defineUpdate<BaselineState>('submitBaseline');
export const shipBaselineUpdate = defineUpdate<BaselineState, [unknown]>('shipBaseline');
export const payBaselineUpdate = defineUpdate<BaselineState, [unknown]>('payBaseline');

/**
 * The happy path's steps as the engine first took them, one short database step each, here one
 * regular activity each: what an order costs when every step is its own server round trip.
 */
export const NAIVE_STEPS = {
  created: ['recordOrder', 'assessCredit', 'syncOrder'],
  shipped: ['recordShipment', 'issueInvoice'],
  paid: ['applyPayment', 'syncOrder', 'reconcileOrder', 'syncOrder'],
} as const;

const { runStep } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '15 seconds' });

async function orderShaped(order: BaselineOrder, steps: typeof NAIVE_STEPS | null): Promise<BaselineState> {
  const state: BaselineState = { status: 'received', order };
  let shipped = false;
  let paid = false;
  const run = async (stage: keyof typeof NAIVE_STEPS) => {
    for (const step of steps?.[stage] ?? []) state.order = await runStep(step, state.order);
  };
  setHandler(submitBaselineUpdate, async () => {
    await condition(() => state.status !== 'received');
    return state;
  });
  setHandler(shipBaselineUpdate, async () => {
    shipped = true;
    await condition(() => state.status !== 'awaiting_shipment');
    return state;
  });
  setHandler(payBaselineUpdate, async () => {
    paid = true;
    await condition(() => state.status === 'closed');
    return state;
  });
  await run('created');
  state.status = 'awaiting_shipment';
  await condition(() => shipped, '14 days');
  await run('shipped');
  state.status = 'awaiting_payment';
  await condition(() => paid, '30 days');
  await run('paid');
  state.status = 'closed';
  return state;
}

export function floorOrderWorkflow(order: BaselineOrder): Promise<BaselineState> {
  return orderShaped(order, null);
}

export function naiveOrderWorkflow(order: BaselineOrder): Promise<BaselineState> {
  return orderShaped(order, NAIVE_STEPS);
}
