// Reconciliation: the books must prove invoice total + fees = payments + credit notes +
// write-offs, and the ledger's receivable must net to zero, before the order closes. A proof
// that fails stops the order for a person, who asks for it again once the books are fixed.
import type { Order } from '../order.js';
import { closeReasons, timeline } from '../wording.js';

export async function reconciliationStage(order: Order): Promise<void> {
  // A run continued as new while it waited for a repair goes on waiting.
  if (order.view.status === 'reconciliation_failed') await order.waitFor(() => order.state.retryRequested);
  while (!(await closeBooks(order))) await awaitRepair(order);
  await order.close('closed', closeReasons.settled(order.view.writtenOffMinor, order.view.invoice!.totalMinor));
}

/** Proves the books and, if they balance, closes the invoice. */
async function closeBooks(order: Order): Promise<boolean> {
  const { view } = order;
  view.status = 'reconciling';
  view.closedReason = null;
  return order.step(async (activities) => {
    const proof = await activities.reconcileOrder({
      orderId: view.orderId,
      invoiceNumber: view.invoice!.invoiceNumber,
      writtenOff: view.writtenOffMinor > 0,
    });
    if (proof.balanced) return true;
    view.status = 'reconciliation_failed';
    view.closedReason = proof.explanation;
    order.log(timeline.reconciliationFailed(proof.explanation));
    return false;
  });
}

/** Tells finance, then waits for someone to ask for the proof again. */
async function awaitRepair(order: Order): Promise<void> {
  const { state, view } = order;
  state.retryRequested = false;
  await order.notify({
    step: `reconciliation-failed:${view.timeline.length}`,
    template: 'reconciliation_failed',
    channel: 'internal',
    to: 'finance',
    data: { orderId: view.orderId, explanation: view.closedReason },
  });
  await order.waitFor(() => state.retryRequested);
}
