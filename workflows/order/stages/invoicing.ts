// Invoicing: one numbered invoice for what has shipped, issued with the shipment that
// completed the order or, after a cancelled remainder, here.
import type { InvoiceState } from '../contract.js';
import { type Order, now } from '../order.js';
import { draftInvoice, dueDateFrom } from '../rules/invoice.js';
import { timeline } from '../wording.js';

export async function invoicingStage(order: Order): Promise<void> {
  if (!order.view.invoice) {
    await order.step(async () => recordInvoice(order, await order.activities.issueInvoice(invoiceRequest(order, order.view.shippedQuantities))));
  }
  order.state.phase = 'collections';
  order.refigure();
  // The activity that issued the invoice wrote the order's row as it now stands: awaiting
  // payment of the invoice total (no payment, fee or dispute comes before collections).
  order.rowSaved();
}

/** The invoice for the quantities shipped, issued now. */
export function invoiceRequest(order: Order, shipped: Record<string, number>) {
  const { input, view } = order;
  const issuedAt = now();
  return {
    orderId: view.orderId,
    customerId: view.customerId,
    currency: view.currency,
    series: input.policy.invoiceSeries,
    issuedAt,
    dueDate: dueDateFrom(issuedAt, input.paymentTermsDays),
    draft: draftInvoice(view.lines, shipped, input.taxRateBps),
  };
}

export function recordInvoice(order: Order, invoice: InvoiceState): void {
  order.view.invoice = invoice;
  order.log(timeline.invoiceIssued(invoice, order.view.currency));
}
