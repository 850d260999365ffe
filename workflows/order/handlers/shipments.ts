// Shipments: each one recorded once; the one that completes the order takes its invoice with
// it, so the invoice covers exactly what has shipped.
import * as wf from '@temporalio/workflow';
import { type InvoiceState, type ShipmentInput, recordShipmentUpdate } from '../contract.js';
import { type Order, type OrderActivities, now } from '../order.js';
import { recordedShipmentLines } from '../rules/shipment.js';
import { validateShipment } from '../validation.js';
import { timeline } from '../wording.js';

export function registerShipmentHandlers(order: Order): void {
  const { view, inFlight } = order;
  wf.setHandler(
    recordShipmentUpdate,
    async (shipment) => {
      const { shipmentId } = shipment;
      // Waits out what would change the answer: the first of a repeated shipment, still being
      // recorded, and the automatic credit check (moments). Never a person's decision on a hold:
      // held, the shipment is refused at once instead of keeping its caller waiting for days.
      if (inFlight.shipments.has(shipmentId) || order.phase === 'credit') {
        await wf.condition(() => !inFlight.shipments.has(shipmentId) && (order.phase !== 'credit' || view.status === 'credit_hold'));
        // Throws a failure, not a plain error: the update is refused, the workflow task is not.
        validateShipment(view, order.phase, shipment, inFlight.shipments);
      }
      // A repeat of a recorded shipment answers with the order as it stands and changes nothing.
      if (!recordedShipmentLines(view, shipmentId)) {
        inFlight.shipments.set(shipmentId, shipment.lines);
        try {
          await order.requestedStep((activities) => recordShipment(order, activities, shipment));
        } finally {
          inFlight.shipments.delete(shipmentId);
        }
      }
      // A shipment that completes the order answers once the order waits for payment.
      await order.settled();
      return view;
    },
    { validator: (shipment) => validateShipment(view, order.phase, shipment, inFlight.shipments) },
  );
}

async function recordShipment(order: Order, activities: OrderActivities, shipment: ShipmentInput): Promise<void> {
  const { view } = order;
  const shippedAt = shipment.shippedAt ?? now();
  const record = {
    orderId: view.orderId,
    shipmentId: shipment.shipmentId,
    lines: shipment.lines,
    shippedAt,
    reportedBy: shipment.reportedBy ?? null,
  };
  const shippedAfter = { ...view.shippedQuantities };
  for (const line of shipment.lines) shippedAfter[line.lineId] = (shippedAfter[line.lineId] ?? 0) + line.quantity;
  const completes = view.lines.every((line) => (shippedAfter[line.lineId] ?? 0) >= line.quantity);
  let invoice: InvoiceState | null = null;
  if (completes) {
    invoice = await activities.recordShipmentAndInvoice({ shipment: record, invoice: order.invoiceRequest(shippedAfter) });
  } else {
    await activities.recordShipment(record);
  }
  view.shipments.push({ shipmentId: shipment.shipmentId, lines: shipment.lines, shippedAt });
  view.shippedQuantities = shippedAfter;
  if (!completes) view.status = 'partially_shipped';
  order.log(timeline.shipmentRecorded(shipment));
  if (invoice) order.recordInvoice(invoice);
}
