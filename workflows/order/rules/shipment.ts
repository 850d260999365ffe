// Shipment rules: a shipment ID is the idempotency key of a shipment, as a payment reference
// is of a payment. Pure, for the workflow's validator and the API (an order that has closed).
import type { OrderView, ShipmentInput } from '../contract.js';

type ShipmentLines = ShipmentInput['lines'];

/**
 * What a shipment ID means for the order: new; a repeat of the shipment recorded under it
 * (answered, changing nothing); or another shipment under a taken ID (refused).
 */
export type ShipmentIdentity = { kind: 'new' } | { kind: 'repeat' } | { kind: 'different-shipment'; message: string };

/** The one place that decides a shipment ID's identity; `recorded` is what the order holds under it. */
export function shipmentIdentity(recorded: ShipmentLines | undefined, shipmentId: string, reportedLines: unknown): ShipmentIdentity {
  if (!recorded) return { kind: 'new' };
  if (isSameShipment(recorded, reportedLines)) return { kind: 'repeat' };
  return { kind: 'different-shipment', message: `shipment ${shipmentId} was already recorded with other lines` };
}

/** Whether lines reported again under a shipment ID are the ones recorded: each line's quantity, in any order. */
export function isSameShipment(recorded: ShipmentLines, reported: unknown): boolean {
  if (!Array.isArray(reported) || reported.length !== recorded.length) return false;
  const unmatched = new Map(recorded.map((line) => [line.lineId, line.quantity]));
  // Each reported line takes its recorded line out, so a line reported twice finds nothing.
  return reported.every((line: Partial<ShipmentLines[number]> | null) => {
    const quantity = unmatched.get(line?.lineId ?? '');
    unmatched.delete(line?.lineId ?? '');
    return quantity !== undefined && quantity === line?.quantity;
  });
}

/** The lines recorded on the order under this shipment ID, if any. */
export function recordedShipmentLines(view: Pick<OrderView, 'shipments'>, shipmentId: string): ShipmentLines | undefined {
  return view.shipments.find((recorded) => recorded.shipmentId === shipmentId)?.lines;
}
