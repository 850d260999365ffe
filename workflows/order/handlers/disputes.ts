// Disputes: the customer contests part of the invoice; dunning pauses for it until finance
// accepts it (a credit note for the accepted amount) or rejects it.
import * as wf from '@temporalio/workflow';
import {
  type DisputeState,
  type OpenDisputeInput,
  type ResolveDisputeInput,
  openDisputeUpdate,
  resolveDisputeUpdate,
} from '../contract.js';
import { type Order, type OrderActivities, now } from '../order.js';
import { settlesBalance } from '../rules/receivable.js';
import { conflict, validateDispute, validateResolution } from '../validation.js';
import { timeline } from '../wording.js';

export function registerDisputeHandlers(order: Order): void {
  const { view, inFlight } = order;

  wf.setHandler(
    openDisputeUpdate,
    async (dispute) => {
      inFlight.disputes.set(dispute.disputeId, dispute.amountMinor);
      try {
        await order.requestedStep((activities) => openDispute(order, activities, dispute));
      } finally {
        inFlight.disputes.delete(dispute.disputeId);
      }
      await order.audit(`dispute-open:${dispute.disputeId}`, dispute.openedBy, 'dispute.opened', { ...dispute });
      await order.settled();
      return view;
    },
    {
      validator: (dispute) => {
        if (inFlight.writeOff) throw conflict('the order is being written off');
        // Once paid in full the order closes its books: a dispute would come too late.
        const arriving = [...inFlight.payments.values()]
          .filter((payment) => !view.payments.some((known) => known.paymentReference === payment.paymentReference))
          .reduce((sum, payment) => sum + payment.amountMinor, 0);
        if (settlesBalance(view.balanceMinor, arriving)) {
          throw conflict('a payment that settles the order is being applied; try again in a moment');
        }
        const disputedMinor = order.openDisputedMinor() + [...inFlight.disputes.values()].reduce((sum, amount) => sum + amount, 0);
        validateDispute(view, order.phase, dispute, new Set(inFlight.disputes.keys()), disputedMinor);
      },
    },
  );

  wf.setHandler(
    resolveDisputeUpdate,
    async (resolution) => {
      const dispute = view.disputes.find((candidate) => candidate.disputeId === resolution.disputeId)!;
      // Taken at once, so that a second resolution of the same dispute is refused meanwhile.
      dispute.resolvedAt = now();
      dispute.resolvedBy = resolution.resolvedBy;
      try {
        await order.requestedStep((activities) => resolveDispute(order, activities, dispute, resolution));
      } catch (err) {
        dispute.resolvedAt = null;
        dispute.resolvedBy = null;
        throw err;
      }
      await order.audit(`dispute-resolve:${dispute.disputeId}`, resolution.resolvedBy, `dispute.${resolution.outcome}`, {
        disputeId: dispute.disputeId,
        acceptedMinor: dispute.acceptedMinor,
        comment: resolution.comment ?? null,
      });
      await order.settled();
      return view;
    },
    {
      validator: (resolution) => {
        if (order.phase !== 'collections') throw conflict(`the order is ${view.status}: disputes can no longer be resolved here`);
        validateResolution(view, resolution);
      },
    },
  );
}

async function openDispute(order: Order, activities: OrderActivities, dispute: OpenDisputeInput): Promise<void> {
  const { view } = order;
  const openedAt = now();
  await activities.recordDispute({
    orderId: view.orderId,
    disputeId: dispute.disputeId,
    invoiceNumber: view.invoice!.invoiceNumber,
    amountMinor: dispute.amountMinor,
    reason: dispute.reason,
    openedBy: dispute.openedBy,
    openedAt,
    resumeOn: dispute.resumeOn ?? null,
  });
  view.disputes.push({
    disputeId: dispute.disputeId,
    amountMinor: dispute.amountMinor,
    reason: dispute.reason,
    openedBy: dispute.openedBy,
    openedAt,
    resumeOn: dispute.resumeOn ?? null,
    status: 'open',
    acceptedMinor: 0,
    resolvedBy: null,
    resolvedAt: null,
    comment: null,
  });
  order.log(timeline.disputeOpened(dispute, view.currency));
  order.refigure();
}

/**
 * Accepted: a credit note for the accepted part, never more than the books hold as owed.
 * The books decide, and keep the first resolution: the order enters what they answer.
 */
async function resolveDispute(
  order: Order,
  activities: OrderActivities,
  dispute: DisputeState,
  resolution: ResolveDisputeInput,
): Promise<void> {
  const { view } = order;
  const resolvedAt = dispute.resolvedAt!;
  const resolved = await activities.resolveDispute({
    orderId: view.orderId,
    invoiceNumber: view.invoice!.invoiceNumber,
    disputeId: dispute.disputeId,
    outcome: resolution.outcome,
    ...(resolution.acceptedMinor === undefined ? {} : { acceptedMinor: resolution.acceptedMinor }),
    currency: view.currency,
    resolvedBy: resolution.resolvedBy,
    resolvedAt,
    comment: resolution.comment ?? null,
  });
  if (resolved.creditNoteId) {
    view.creditNotes.push({ creditNoteId: resolved.creditNoteId, amountMinor: resolved.acceptedMinor, reason: dispute.reason, issuedAt: resolvedAt });
  }
  Object.assign(dispute, { status: resolved.outcome, acceptedMinor: resolved.acceptedMinor, comment: resolution.comment ?? null });
  order.log(timeline.disputeResolved(dispute.disputeId, resolved.outcome, resolved.acceptedMinor, resolution.resolvedBy, view.currency));
  order.booksSay(resolved.books);
}
