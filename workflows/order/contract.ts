// The order area's contract: what api/ and workflows/ share. It imports nothing from db/
// or activities/, so it is safe in the workflow bundle and in the API alike.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { orderSummary } from './wording.js';

export const ORDER_TASK_QUEUE = 'o2c-orders';

/** Workflow ID of an order: the caller's order ID is the idempotency key. */
export function orderWorkflowId(orderId: string): string {
  return `order:${orderId}`;
}

/** Typed search attributes operators filter on in Temporal UI (`OrderStatus = "overdue"`). */
export const OrderSearchAttributes = {
  status: defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD),
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  /** Minor units of `currency`; Temporal has no money type. */
  amountDue: defineSearchAttributeKey('AmountDue', SearchAttributeType.INT),
  currency: defineSearchAttributeKey('Currency', SearchAttributeType.KEYWORD),
  dunningLevel: defineSearchAttributeKey('DunningLevel', SearchAttributeType.INT),
  invoiceNumber: defineSearchAttributeKey('InvoiceNumber', SearchAttributeType.KEYWORD),
  dueDate: defineSearchAttributeKey('DueDate', SearchAttributeType.DATETIME),
} as const;

/** Every custom attribute the namespace must have registered before an order starts. */
export const ORDER_SEARCH_ATTRIBUTE_KEYS = Object.values(OrderSearchAttributes);

// ---------------------------------------------------------------------------------------
// Input: the order and the policy snapshot taken when it starts. A policy change never
// alters a running order; durations are data so tests and tenants can use their own.

export interface OrderLine {
  lineId: string;
  sku: string;
  description: string;
  quantity: number;
  /** Minor units of the order's currency, before tax. */
  unitPriceMinor: number;
}

export interface CreditPolicy {
  /** Overdue balance the customer may carry and still be approved automatically. */
  maxOverdueForAutoApprovalMinor: number;
  /** Exposure above this share of the limit (basis points, 15000 = 150%) is rejected outright; between 100% and this it is held. */
  rejectAboveLimitBps: number;
  /** No decision on a hold by then: escalate (notice to finance, higher escalation level). */
  reviewSlaMs: number;
  /** No decision on a hold by then: cancel the order. */
  decisionDeadlineMs: number;
}

export interface DunningLevelPolicy {
  level: number;
  /** Calendar days after the due date. */
  offsetDays: number;
  template: string;
  channel: 'email' | 'letter';
  /** A fee added as its own receivable when the level is reached; 0 for none. */
  feeMinor: number;
}

export interface DunningPolicy {
  /** Calendar days before the due date for the friendly reminder; null for none. */
  preDueReminderDays: number | null;
  /** In ascending offset order. */
  levels: DunningLevelPolicy[];
  /** Calendar days after the last level before the order goes to collections. */
  collectionsAfterDays: number;
}

export interface OrderPolicy {
  credit: CreditPolicy;
  /** No (full) shipment by then: the unshipped remainder is cancelled. */
  fulfillmentDeadlineMs: number;
  dunning: DunningPolicy;
  /** Invoice number series, gapless within itself (for example "INV"). */
  invoiceSeries: string;
}

export interface OrderInput {
  orderId: string;
  customerId: string;
  /** ISO 4217, upper case. */
  currency: string;
  lines: OrderLine[];
  /** Tax rate in basis points (2000 = 20%). */
  taxRateBps: number;
  paymentTermsDays: number;
  policy: OrderPolicy;
  /**
   * Fingerprint of the API request that created the order. A repeat of the same order ID
   * with another fingerprint is a different order under a taken ID, and is refused.
   */
  requestFingerprint?: string;
  /** Who submitted the order (an API key's name), kept on the order's record. */
  submittedBy?: string;
}

// ---------------------------------------------------------------------------------------
// State, as the getOrder query and every update answer it.

export type OrderStatus =
  | 'credit_review'
  | 'credit_hold'
  | 'credit_rejected'
  | 'awaiting_shipment'
  | 'partially_shipped'
  | 'cancelled'
  | 'awaiting_payment'
  | 'overdue'
  | 'disputed'
  | 'in_collections'
  | 'reconciling'
  | 'reconciliation_failed'
  | 'needs_attention'
  | 'closed';

export type CreditOutcome = 'approved' | 'rejected' | 'held';

export interface CreditState {
  outcome: CreditOutcome | null;
  /** 'system' for automatic decisions, otherwise who decided. */
  decidedBy: string | null;
  comment: string | null;
  reasons: string[];
  exposureMinor: number | null;
  limitMinor: number | null;
  decidedAt: string | null;
  escalationLevel: number;
}

export interface ShipmentState {
  shipmentId: string;
  lines: Array<{ lineId: string; quantity: number }>;
  shippedAt: string;
}

export interface InvoiceLineState {
  lineId: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
}

export interface InvoiceState {
  invoiceNumber: string;
  issuedAt: string;
  /** Calendar date (YYYY-MM-DD, UTC). */
  dueDate: string;
  lines: InvoiceLineState[];
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
}

export interface FeeState {
  level: number;
  amountMinor: number;
  chargedAt: string;
}

export interface PaymentState {
  paymentReference: string;
  amountMinor: number;
  method: PaymentMethod;
  receivedAt: string;
  /** Part of the payment applied to the receivable; the rest became customer credit. */
  appliedMinor: number;
  unappliedMinor: number;
}

export interface CreditNoteState {
  creditNoteId: string;
  amountMinor: number;
  reason: string;
  issuedAt: string;
}

export interface DisputeState {
  disputeId: string;
  amountMinor: number;
  reason: string;
  openedBy: string;
  openedAt: string;
  resumeOn: string | null;
  status: 'open' | 'accepted' | 'rejected';
  acceptedMinor: number;
  resolvedBy: string | null;
  resolvedAt: string | null;
  comment: string | null;
}

export interface TimelineEntry {
  at: string;
  event: string;
  detail?: string;
}

export interface NextStep {
  at: string;
  what: string;
}

export interface OrderView {
  orderId: string;
  customerId: string;
  currency: string;
  status: OrderStatus;
  lines: OrderLine[];
  shippedQuantities: Record<string, number>;
  credit: CreditState;
  shipments: ShipmentState[];
  invoice: InvoiceState | null;
  fees: FeeState[];
  payments: PaymentState[];
  creditNotes: CreditNoteState[];
  disputes: DisputeState[];
  writtenOffMinor: number;
  /** Invoice total + fees − applied payments − credit notes − write-offs. */
  balanceMinor: number;
  /** Balance less the amounts under open disputes: what dunning chases. */
  dunnableMinor: number;
  /** Overpayments kept as the customer's credit. */
  customerCreditMinor: number;
  dunningLevel: number;
  nextStep: NextStep | null;
  closedReason: string | null;
  /** Set while the order stands in `needs_attention`: the step that cannot succeed, and why. */
  attention: Attention | null;
  timeline: TimelineEntry[];
}

export interface Attention {
  /** What the order was doing, and what the database or the invariant said. */
  reason: string;
  since: string;
}

// ---------------------------------------------------------------------------------------
// Messages. Updates answer with the new state; validators refuse with a reason.

export type PaymentMethod = 'card' | 'bank_transfer' | 'lockbox' | 'other';

export interface CreditDecisionInput {
  decision: 'approve' | 'reject';
  decidedBy: string;
  comment?: string;
}

export interface ShipmentInput {
  shipmentId: string;
  lines: Array<{ lineId: string; quantity: number }>;
  shippedAt?: string;
  /** Who reported it (an API key's name), kept on the shipment's record. */
  reportedBy?: string;
}

export type ActorRole = 'service' | 'finance' | 'operator';

export interface RetryInput {
  requestedBy: string;
  comment?: string;
}

export interface CancelInput {
  reason: string;
  requestedBy: string;
  /** The requester's role, for the audit trail; finance when not given. */
  requestedByRole?: ActorRole;
}

export interface PaymentInput {
  paymentReference: string;
  amountMinor: number;
  currency: string;
  method: PaymentMethod;
  receivedAt: string;
  /** Who reported it (an API key's name), kept on the payment's record. */
  reportedBy?: string;
}

export interface PaymentResult {
  duplicate: boolean;
  balanceMinor: number;
  customerCreditMinor: number;
  order: OrderView;
}

export interface OpenDisputeInput {
  disputeId: string;
  amountMinor: number;
  reason: string;
  openedBy: string;
  /** Calendar date on which dunning may resume even while the dispute is open. */
  resumeOn?: string;
}

export interface ResolveDisputeInput {
  disputeId: string;
  outcome: 'accepted' | 'rejected';
  /** Accepted in part: the amount credited; defaults to the whole disputed amount. */
  acceptedMinor?: number;
  resolvedBy: string;
  comment?: string;
}

export interface WriteOffInput {
  approvedBy: string;
  reason: string;
}

export interface SubmitOrderInput {
  /** The fingerprint of this request; null when the caller has none. */
  requestFingerprint: string | null;
}

export interface SubmitOrderResult {
  /** True for the request that created the order, false for repeats of it. */
  created: boolean;
  order: OrderView;
}

/**
 * Failure types of refused updates, so that a caller can tell a request that does not fit
 * the order's state (conflict) from one that can never succeed (invalid) and from one
 * naming something the order does not have (not found).
 */
export const OrderRefusal = {
  conflict: 'OrderConflict',
  invalid: 'OrderRequestInvalid',
  notFound: 'OrderItemNotFound',
  /**
   * A step failed in a way no retry can fix (the database refused its data, or an invariant
   * broke). A message's step refuses that message with it; the order's own step stops the
   * order in `needs_attention` until finance retries it.
   */
  stepCannotSucceed: 'StepCannotSucceed',
} as const;

export interface OrderResult {
  status: OrderStatus;
  closedReason: string | null;
}

/** Sent with the start (Update-with-Start): answers once the credit check has an outcome. */
export const submitOrderUpdate = defineUpdate<SubmitOrderResult, [SubmitOrderInput]>('submitOrder');
export const decideCreditUpdate = defineUpdate<OrderView, [CreditDecisionInput]>('decideCredit');
export const recordShipmentUpdate = defineUpdate<OrderView, [ShipmentInput]>('recordShipment');
export const cancelOrderUpdate = defineUpdate<OrderView, [CancelInput]>('cancelOrder');
export const recordPaymentUpdate = defineUpdate<PaymentResult, [PaymentInput]>('recordPayment');
export const openDisputeUpdate = defineUpdate<OrderView, [OpenDisputeInput]>('openDispute');
export const resolveDisputeUpdate = defineUpdate<OrderView, [ResolveDisputeInput]>('resolveDispute');
export const writeOffUpdate = defineUpdate<OrderView, [WriteOffInput]>('writeOff');
export const getOrderQuery = defineQuery<OrderView>('getOrder');
/** After a person fixed what made reconciliation fail: try the proof again. */
/** Finance asks the order to try again the step it stopped at (needs attention, or a failed reconciliation). */
export const retryOrderUpdate = defineUpdate<OrderView, [RetryInput]>('retryOrder');

/**
 * How every caller starts an order: the ID that makes a repeated request the same order,
 * the queue, the search attributes known at once and the summary Temporal UI shows.
 */
export function orderStartOptions(input: OrderInput, totalLabel: string) {
  return {
    workflowId: orderWorkflowId(input.orderId),
    taskQueue: ORDER_TASK_QUEUE,
    staticSummary: orderSummary(input, totalLabel),
    typedSearchAttributes: [
      { key: OrderSearchAttributes.customerId, value: input.customerId },
      { key: OrderSearchAttributes.currency, value: input.currency },
      { key: OrderSearchAttributes.status, value: 'credit_review' },
    ],
  };
}
