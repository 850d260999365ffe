// The order's view (what getOrder and every update answer) at its two ends, as it is
// received and as it stands once ended, and what the order's row keeps of it. Pure, so that
// the workflow and the tests derive them the same way.
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
    attention: null,
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

/** What the order's row (behind GET /orders) and its search attributes keep of the view. */
export interface OrderRowFigures {
  status: OrderStatus;
  amountDueMinor: number;
  dunningLevel: number;
  invoiceNumber: string | null;
  /** Calendar date (YYYY-MM-DD, UTC). */
  dueDate: string | null;
}

/** The row's figures as the view has them: one derivation for the row and the search attributes. */
export function rowFigures(view: OrderView): OrderRowFigures {
  return {
    status: view.status,
    amountDueMinor: view.balanceMinor,
    dunningLevel: view.dunningLevel,
    invoiceNumber: view.invoice?.invoiceNumber ?? null,
    dueDate: view.invoice?.dueDate ?? null,
  };
}

/** The row as an order is first recorded, before its credit check. */
export const NEW_ORDER_ROW: Readonly<OrderRowFigures> = Object.freeze({
  status: 'credit_review',
  amountDueMinor: 0,
  dunningLevel: 0,
  invoiceNumber: null,
  dueDate: null,
});
