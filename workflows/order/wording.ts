// What people read about an order: the line Temporal UI shows as its current details, the
// entries of its timeline, its summary and what it does next. Pure, so that every phrase
// can be read and tested in one place; the workflow only chooses which one applies.
import type {
  CancelInput,
  CreditDecisionInput,
  DisputeState,
  InvoiceState,
  OrderInput,
  OrderStatus,
  OrderView,
  PaymentInput,
  ShipmentInput,
} from './contract.js';
import type { CreditAssessment } from './rules/credit.js';
import { type DunningStep, describeStep } from './rules/dunning.js';
import { formatMoney } from './rules/money.js';

/** A timeline entry before it is given its time. */
export interface Note {
  event: string;
  detail?: string;
}

const note = (event: string, detail?: string): Note => (detail ? { event, detail } : { event });

/** The summary Temporal UI shows for an order from its start; `totalLabel` is its formatted total. */
export function orderSummary(input: OrderInput, totalLabel: string): string {
  return `Order ${input.orderId} for customer ${input.customerId}: ${totalLabel}, ${input.lines.length} line(s), net ${input.paymentTermsDays} days`;
}

/** One line on what the order is waiting for, in plain words. */
export function currentDetails(view: OrderView): string {
  const money = (minor: number) => formatMoney(minor, view.currency);
  const next = view.nextStep ? `, next ${view.nextStep.what} on ${view.nextStep.at.slice(0, 10)}` : '';
  const open = view.disputes.filter((d) => d.status === 'open');
  switch (view.status) {
    case 'credit_review':
      return 'checking credit';
    case 'credit_hold':
      return `held for a credit decision by finance (escalation level ${view.credit.escalationLevel}): ${view.credit.reasons.join('; ')}${next}`;
    case 'awaiting_shipment':
    case 'partially_shipped': {
      const lines = view.lines.map((l) => `${l.lineId} ${view.shippedQuantities[l.lineId] ?? 0}/${l.quantity}`).join(', ');
      return `waiting for shipment (${lines})${next}`;
    }
    case 'awaiting_payment':
    case 'overdue':
      return `waiting for payment of ${money(view.dunnableMinor)}, due ${view.invoice?.dueDate}${next}`;
    case 'disputed': {
      const disputed = open.reduce((sum, d) => sum + d.amountMinor, 0);
      return `dunning paused: ${open.length} open dispute(s) over ${money(disputed)}; balance ${money(view.balanceMinor)}`;
    }
    case 'in_collections':
      return `with collections: ${money(view.balanceMinor)} open; waiting for payment or a write-off`;
    case 'reconciling':
      return 'reconciling';
    case 'reconciliation_failed':
      return `reconciliation failed, needs a person: ${view.closedReason}`;
    case 'needs_attention':
      return `stopped, needs a person (finance can retry once repaired): ${view.attention?.reason}`;
    default:
      return `${view.status}${view.closedReason ? `: ${view.closedReason}` : ''}`;
  }
}

/** What the order does next, shown with its time. */
export const nextStepWording = {
  escalateCreditReview: 'escalate the credit review',
  cancelUndecided: 'cancel for want of a credit decision',
  cancelUnshipped: 'cancel what has not shipped',
  resumeDunning: 'resume dunning for the undisputed part',
  dunning: (step: DunningStep) => describeStep(step),
} as const;

/** Why an order closed or was cancelled. */
export const closeReasons = {
  settled: (writtenOffMinor: number, invoiceTotalMinor: number) =>
    writtenOffMinor > 0 ? 'written off' : invoiceTotalMinor === 0 ? 'nothing to pay; reconciled' : 'paid and reconciled',
  cancelledBy: (request: CancelInput) => `cancelled by ${request.requestedBy}: ${request.reason}`,
  notFulfilled: 'not fulfilled by the fulfillment deadline',
  noCreditDecision: 'no credit decision by the deadline',
  creditRejected: (reasons: string[]) => reasons.join('; ') || 'credit rejected',
} as const;

/** Timeline entries, one function per thing that happens to an order. */
export const timeline = {
  received: () => note('order received'),

  creditChecked: (assessment: CreditAssessment, currency: string) =>
    note(
      `credit ${assessment.outcome}`,
      assessment.reasons.join('; ') || `exposure ${formatMoney(assessment.exposureMinor, currency)} within limit`,
    ),

  creditEscalated: () => note('credit review escalated', 'no decision within the review SLA'),

  creditDecided: (decision: CreditDecisionInput) =>
    note(`credit ${decision.decision === 'approve' ? 'approved' : 'rejected'} by ${decision.decidedBy}`, decision.comment),

  shipmentRecorded: (shipment: Pick<ShipmentInput, 'shipmentId' | 'lines'>) =>
    note('shipment recorded', `${shipment.shipmentId}: ${shipment.lines.map((l) => `${l.lineId}×${l.quantity}`).join(', ')}`),

  remainderCancelled: (why: string) => note('remainder cancelled', why),

  invoiceIssued: (invoice: InvoiceState, currency: string) =>
    note('invoice issued', `${invoice.invoiceNumber}: ${formatMoney(invoice.totalMinor, currency)}, due ${invoice.dueDate}`),

  paymentReceived: (payment: PaymentInput, split: { unappliedMinor: number }, currency: string) =>
    note(
      'payment received',
      `${payment.paymentReference}: ${formatMoney(payment.amountMinor, currency)}${
        split.unappliedMinor > 0 ? `, ${formatMoney(split.unappliedMinor, currency)} kept as customer credit` : ''
      }`,
    ),

  dunningNotice: (step: DunningStep, sent: boolean, amountQuotedMinor: number, currency: string) =>
    sent
      ? note(`${describeStep(step)} sent`, `quoting ${formatMoney(amountQuotedMinor, currency)}`)
      : note(`${describeStep(step)} not sent`, 'nothing undisputed was open'),

  disputeOpened: (dispute: Pick<DisputeState, 'disputeId' | 'amountMinor' | 'reason' | 'openedBy'>, currency: string) =>
    note('dispute opened', `${dispute.disputeId}: ${formatMoney(dispute.amountMinor, currency)}, ${dispute.reason} (by ${dispute.openedBy})`),

  disputeResolved: (disputeId: string, outcome: 'accepted' | 'rejected', acceptedMinor: number, resolvedBy: string, currency: string) =>
    note(
      `dispute ${outcome}`,
      `${disputeId}${acceptedMinor > 0 ? `: credit note for ${formatMoney(acceptedMinor, currency)}` : ''} (by ${resolvedBy})`,
    ),

  writtenOff: (amountMinor: number, approvedBy: string, reason: string, currency: string) =>
    amountMinor > 0
      ? note('written off', `${formatMoney(amountMinor, currency)} approved by ${approvedBy}: ${reason}`)
      : note('write-off not needed', `paid in full before the write-off approved by ${approvedBy}`),

  reconciliationFailed: (explanation: string) => note('reconciliation failed', explanation),

  needsAttention: (reason: string) => note('stopped: needs attention', reason),

  retryRequested: (requestedBy: string) => note('retry requested', `by ${requestedBy}`),

  rolledOver: () => note('history rolled over', 'continued as new with all state'),

  /** The last entry: the status the order ended in, and why. */
  ended: (status: OrderStatus, reason: string) => note(status.replaceAll('_', ' '), reason),
} as const;
