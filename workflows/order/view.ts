// The order's view (what getOrder and every update answer) at its two ends: as it is
// received, and as it stands once it has ended. Pure, so tests build views the same way.
import type { OrderInput, OrderStatus, OrderView } from './contract.js';
import { timeline } from './wording.js';

/** A new order's view: nothing shipped, invoiced or paid yet, its credit not checked. */
export function newOrderView(input: OrderInput, receivedAt: string): OrderView {
  return {
    orderId: input.orderId,
    customerId: input.customerId,
    currency: input.currency,
    status: 'credit_review',
    lines: input.lines,
    shippedQuantities: Object.fromEntries(input.lines.map((line) => [line.lineId, 0])),
    credit: {
      outcome: null,
      decidedBy: null,
      comment: null,
      reasons: [],
      exposureMinor: null,
      limitMinor: null,
      decidedAt: null,
      escalationLevel: 0,
    },
    shipments: [],
    invoice: null,
    fees: [],
    payments: [],
    creditNotes: [],
    disputes: [],
    writtenOffMinor: 0,
    balanceMinor: 0,
    dunnableMinor: 0,
    customerCreditMinor: 0,
    dunningLevel: 0,
    nextStep: null,
    closedReason: null,
    timeline: [{ at: receivedAt, ...timeline.received() }],
  };
}

/** The view as it stands once ended with this status and reason at `at`; changes `view` in place. */
export function endView(view: OrderView, status: OrderStatus, reason: string, at: string): OrderView {
  view.status = status;
  view.closedReason = reason;
  view.nextStep = null;
  view.timeline.push({ at, ...timeline.ended(status, reason) });
  return view;
}
