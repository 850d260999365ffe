// Fulfillment: shipments add up until the order has shipped in full. A cancellation, or the
// fulfillment deadline, cancels what has not shipped: the whole order if nothing has, else
// the remainder, and the order is invoiced for what shipped.
import type { Order } from '../order.js';
import { closeReasons, nextStepWording, timeline } from '../wording.js';

export async function fulfillmentStage(order: Order): Promise<void> {
  const { state, view } = order;
  state.fulfillmentDeadlineAt ??= new Date(Date.now() + order.input.policy.fulfillmentDeadlineMs).toISOString();
  const deadlineAt = Date.parse(state.fulfillmentDeadlineAt);
  const shippedOrCancelled = () => (order.fullyShipped() && order.inFlight.shipments.size === 0) || state.cancelRequest !== null;
  order.setNext({ at: state.fulfillmentDeadlineAt, what: nextStepWording.cancelUnshipped });
  while (!shippedOrCancelled() && Date.now() < deadlineAt) await order.waitFor(shippedOrCancelled, deadlineAt);
  // Shipments already accepted are recorded before anything is cancelled.
  await order.waitFor(() => order.inFlight.shipments.size === 0);
  order.setNext(null);
  if (order.fullyShipped()) {
    order.moveTo('invoicing');
    return;
  }
  const why = state.cancelRequest ? closeReasons.cancelledBy(state.cancelRequest) : closeReasons.notFulfilled;
  if (view.shipments.length === 0) {
    await order.close('cancelled', why);
    return;
  }
  order.log(timeline.remainderCancelled(why));
  order.moveTo('invoicing');
}
