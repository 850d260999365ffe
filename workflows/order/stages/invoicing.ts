// Invoicing: one numbered invoice for what has shipped, issued with the shipment that
// completed the order or, after a cancelled remainder, here.
import type { Order } from '../order.js';

export async function invoicingStage(order: Order): Promise<void> {
  if (!order.view.invoice) {
    await order.step(async (activities) => {
      const invoice = await activities.issueInvoice(order.invoiceRequest(order.view.shippedQuantities));
      order.recordInvoice(invoice);
    });
  }
  order.moveTo('collections');
  order.refigure();
}
