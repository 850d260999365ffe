// Update validators: they refuse with a reason before anything is written to history, so a
// refused request changes nothing. The API checks shapes; these check the order's state, and
// again what the order must be able to store (rules/input.ts), whoever sends the update: an
// activity that can never write a value would retry it forever and stop the order.
// Each refusal carries a type from OrderRefusal, which the API turns into 409, 422 or 404.
import { ApplicationFailure } from '@temporalio/common';
import {
  type OpenDisputeInput,
  OrderRefusal,
  type OrderView,
  type PaymentInput,
  type ResolveDisputeInput,
  type ShipmentInput,
} from './contract.js';
import { isStorableDate, isStorableInstant, isStorableText } from './rules/input.js';
import { paymentIdentity } from './rules/receivable.js';
import { recordedShipmentLines, shipmentIdentity } from './rules/shipment.js';

const refusal = (type: string) => (message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });
/** The request does not fit the order as it stands (already done, wrong stage). */
export const conflict = refusal(OrderRefusal.conflict);
/** The request can never succeed on this order (bad amount, unknown line, wrong currency). */
export const invalid = refusal(OrderRefusal.invalid);
/** The request names something the order does not have. */
export const notFound = refusal(OrderRefusal.notFound);

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

const INSTANT_RULE = 'a UTC time in ISO-8601 ending in Z, in the years 2000 to 2099';
const TEXT_RULE = {
  'one line': 'one line with no control characters and no unpaired surrogates',
  'free text': 'text with no control characters but tab and line feed, and no unpaired surrogates',
} as const;

/** Refuses text the order could not store; an absent optional field passes. */
export function checkText(value: unknown, kind: keyof typeof TEXT_RULE, field: string, optional = false): void {
  if (optional && value === undefined) return;
  if (!isStorableText(value, kind)) throw invalid(`${field} must be ${TEXT_RULE[kind]}`);
}

export function validateShipment(
  view: OrderView,
  phase: string,
  shipment: ShipmentInput,
  pending: ReadonlyMap<string, ShipmentInput['lines']>,
): void {
  if (!shipment.shipmentId?.trim()) throw invalid('shipmentId is required');
  checkText(shipment.shipmentId, 'one line', 'shipmentId');
  // A repeat is answered, not refused, whatever the stage: the shipment that completed the
  // order is the one a caller most often repeats after losing the answer. The same ID with
  // other lines is another shipment under a taken ID.
  const known = recordedShipmentLines(view, shipment.shipmentId) ?? pending.get(shipment.shipmentId);
  const identity = shipmentIdentity(known, shipment.shipmentId, shipment.lines);
  if (identity.kind === 'repeat') return;
  if (identity.kind === 'different-shipment') throw conflict(identity.message);
  // While the automatic credit check runs (moments), a shipment waits for its outcome.
  const creditCheckRunning = phase === 'credit' && view.status === 'credit_review';
  if (phase !== 'fulfillment' && !creditCheckRunning) throw conflict(`the order is ${view.status}: it takes no shipments`);
  if (!Array.isArray(shipment.lines) || shipment.lines.length === 0) throw invalid('a shipment needs at least one line');
  const seen = new Set<string>();
  for (const line of shipment.lines) {
    const ordered = view.lines.find((onOrder) => onOrder.lineId === line.lineId);
    if (!ordered) throw invalid(`line ${line.lineId} is not on this order`);
    if (seen.has(line.lineId)) throw invalid(`line ${line.lineId} appears twice in the shipment`);
    seen.add(line.lineId);
    if (!isPositiveInteger(line.quantity)) throw invalid(`quantity for line ${line.lineId} must be a positive whole number`);
    // Shipments still being recorded count too, or two at once could ship more than ordered.
    const inFlight = [...pending.values()]
      .flat()
      .filter((pendingLine) => pendingLine.lineId === line.lineId)
      .reduce((sum, pendingLine) => sum + pendingLine.quantity, 0);
    const shipped = (view.shippedQuantities[line.lineId] ?? 0) + inFlight;
    if (shipped + line.quantity > ordered.quantity) {
      throw invalid(
        `line ${line.lineId}: ${line.quantity} more would make ${shipped + line.quantity} shipped of ${ordered.quantity} ordered`,
      );
    }
  }
  if (shipment.shippedAt !== undefined && !isStorableInstant(shipment.shippedAt)) {
    throw invalid(`shippedAt must be ${INSTANT_RULE}`);
  }
}

export function validatePayment(
  view: OrderView,
  phase: string,
  payment: PaymentInput,
  pending: ReadonlyMap<string, PaymentInput> = new Map(),
): void {
  if (!payment.paymentReference?.trim()) throw invalid('paymentReference is required');
  checkText(payment.paymentReference, 'one line', 'paymentReference');
  // A repeated reference is answered, not refused: the handler returns the first outcome.
  // The same reference with other details is another payment under a taken reference,
  // whether the first is recorded already or still being applied.
  const known =
    view.payments.find((recorded) => recorded.paymentReference === payment.paymentReference) ??
    pending.get(payment.paymentReference);
  const recorded = known && { ...known, currency: view.currency, orderId: view.orderId };
  const identity = paymentIdentity(recorded, view.orderId, payment);
  if (identity.kind === 'repeat') return;
  if (identity.kind !== 'new') throw conflict(identity.message);
  if (phase !== 'collections') {
    throw conflict(view.invoice ? `the order is ${view.status}: it takes no payments` : 'the order has no invoice to pay yet');
  }
  if (payment.currency !== view.currency) {
    throw invalid(`payment currency ${payment.currency} does not match the invoice currency ${view.currency}`);
  }
  if (!isPositiveInteger(payment.amountMinor)) throw invalid('amountMinor must be a positive whole number of minor units');
  if (!isStorableInstant(payment.receivedAt)) throw invalid(`receivedAt must be ${INSTANT_RULE}`);
}

export function validateDispute(
  view: OrderView,
  phase: string,
  dispute: OpenDisputeInput,
  pending: ReadonlySet<string>,
  openDisputedMinor: number,
): void {
  if (!dispute.disputeId?.trim()) throw invalid('disputeId is required');
  checkText(dispute.disputeId, 'one line', 'disputeId');
  if (pending.has(dispute.disputeId) || view.disputes.some((recorded) => recorded.disputeId === dispute.disputeId)) {
    throw conflict(`dispute ${dispute.disputeId} already exists`);
  }
  if (phase !== 'collections') throw conflict(`the order is ${view.status}: there is no open invoice to dispute`);
  if (!isPositiveInteger(dispute.amountMinor)) throw invalid('amountMinor must be a positive whole number of minor units');
  const undisputed = view.balanceMinor - openDisputedMinor;
  if (dispute.amountMinor > undisputed) {
    throw invalid(`amountMinor ${dispute.amountMinor} exceeds the undisputed balance ${undisputed}`);
  }
  if (!dispute.reason?.trim() || !dispute.openedBy?.trim()) throw invalid('reason and openedBy are required');
  checkText(dispute.reason, 'free text', 'reason');
  if (dispute.resumeOn !== undefined && !isStorableDate(dispute.resumeOn)) {
    throw invalid('resumeOn must be a date (YYYY-MM-DD) that exists, in the years 2000 to 2099');
  }
}

export function validateResolution(view: OrderView, resolution: ResolveDisputeInput): void {
  const dispute = view.disputes.find((recorded) => recorded.disputeId === resolution.disputeId);
  if (!dispute) throw notFound(`dispute ${resolution.disputeId} does not exist`);
  if (dispute.status !== 'open') throw conflict(`dispute ${resolution.disputeId} is already ${dispute.status}`);
  if (dispute.resolvedAt !== null) throw conflict(`dispute ${resolution.disputeId} is already being resolved`);
  if (resolution.outcome !== 'accepted' && resolution.outcome !== 'rejected') {
    throw invalid('outcome must be accepted or rejected');
  }
  if (!resolution.resolvedBy?.trim()) throw invalid('resolvedBy is required');
  checkText(resolution.comment, 'free text', 'comment', true);
  if (resolution.acceptedMinor !== undefined) {
    if (resolution.outcome !== 'accepted') throw invalid('acceptedMinor goes only with an accepted dispute');
    if (!isPositiveInteger(resolution.acceptedMinor) || resolution.acceptedMinor > dispute.amountMinor) {
      throw invalid(`acceptedMinor must be a whole number from 1 to the disputed ${dispute.amountMinor}`);
    }
  }
}
