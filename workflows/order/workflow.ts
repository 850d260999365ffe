// One durable workflow per order, from credit check to reconciled cash. This file is the
// story: the stages an order walks, in order. The order's state and the ways to change it are
// in ./order.ts; each stage is in ./stages, each group of messages in ./handlers; business
// rules are pure, in ./rules; what people read is in ./wording.ts; every side effect is an
// activity, idempotent on a key derived from the workflow ID and the step.
import * as wf from '@temporalio/workflow';
import type { OrderInput, OrderResult } from './contract.js';
import { registerDisputeHandlers } from './handlers/disputes.js';
import { registerOrderHandlers } from './handlers/order.js';
import { registerPaymentHandlers } from './handlers/payments.js';
import { registerShipmentHandlers } from './handlers/shipments.js';
import { Order, type OrderState } from './order.js';
import { collectionsStage } from './stages/collections.js';
import { creditStage } from './stages/credit.js';
import { fulfillmentStage } from './stages/fulfillment.js';
import { invoicingStage } from './stages/invoicing.js';
import { reconciliationStage } from './stages/reconciliation.js';

export type { OrderState } from './order.js';

/** `carried` is the state of the run before, when the order continued as new. */
export async function orderWorkflow(input: OrderInput, carried?: OrderState): Promise<OrderResult> {
  const order = new Order(input, carried);
  registerOrderHandlers(order);
  registerShipmentHandlers(order);
  registerPaymentHandlers(order);
  registerDisputeHandlers(order);
  order.describe();

  if (order.phase === 'credit') await creditStage(order);
  if (order.phase === 'fulfillment') await fulfillmentStage(order);
  if (order.phase === 'invoicing') await invoicingStage(order);
  if (order.phase === 'collections') await collectionsStage(order);
  if (order.phase === 'reconciling') await reconciliationStage(order);

  // Every update answers before the run ends.
  await wf.condition(wf.allHandlersFinished);
  return { status: order.view.status, closedReason: order.view.closedReason };
}
