// Reconciliation: the books must prove invoice total + fees = payments + credit notes +
// write-offs, and the ledger's receivable must net to zero, before the order closes. A proof
// that fails stops the order for a person, who asks for it again once the books are fixed.
import { type Order, now } from '../order.js';
import { closedRow } from '../view.js';
import { closeReasons, timeline } from '../wording.js';

export async function reconciliationStage(order: Order): Promise<void> {
  // A run continued as new while it waited for a repair goes on waiting.
  if (order.view.status === 'reconciliation_failed') await order.waitFor(() => order.state.reconcileRequested);
  while (!(await closeBooks(order))) await awaitRepair(order);
}

/** Proves the books and, if they balance, closes the invoice and the order in the same step. */
async function closeBooks(order: Order): Promise<boolean> {
  const { view } = order;
  view.status = 'reconciling';
  view.closedReason = null;
  const reason = closeReasons.settled(view.writtenOffMinor, view.invoice!.totalMinor);
  return order.step(async (activities) => {
    const at = now();
    const proof = await activities.reconcileOrder({
      orderId: view.orderId,
      invoiceNumber: view.invoice!.invoiceNumber,
      writtenOff: view.writtenOffMinor > 0,
      // Kept with the order's row, for reads after the workflow's retention, if the books balance.
      finalView: order.endedView('closed', reason, at),
    });
    if (!proof.balanced) {
      view.status = 'reconciliation_failed';
      view.closedReason = proof.explanation;
      order.log(timeline.reconciliationFailed(proof.explanation));
      return false;
    }
    order.rowWritten(closedRow());
    order.end('closed', reason, at);
    return true;
  });
}

/** Tells finance, then waits for someone to ask for the proof again. */
async function awaitRepair(order: Order): Promise<void> {
  const { state, view } = order;
  state.reconcileRequested = false;
  await order.notify({
    step: `reconciliation-failed:${view.timeline.length}`,
    template: 'reconciliation_failed',
    channel: 'internal',
    to: 'finance',
    data: { orderId: view.orderId, explanation: view.closedReason },
  });
  await order.waitFor(() => state.reconcileRequested);
}
