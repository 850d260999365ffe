// Credit: the order is taken in and its customer's exposure checked. Approved, it goes on to
// fulfillment; rejected, it closes; held, it waits for finance, escalates at the review SLA
// and is cancelled at the decision deadline.
import * as wf from '@temporalio/workflow';
import type { CreditDecisionInput } from '../contract.js';
import { type Order, now } from '../order.js';
import { statusAfterCreditCheck } from '../rules/credit.js';
import { closeReasons, nextStepWording, timeline } from '../wording.js';

export async function creditStage(order: Order): Promise<void> {
  if (order.view.credit.outcome === null) await checkCredit(order);
  if (order.view.credit.outcome === 'held') await awaitCreditDecision(order);
  if (order.phase !== 'credit') return;
  if (order.view.credit.outcome === 'rejected') {
    await rejectOrder(order);
    return;
  }
  order.moveTo('fulfillment', 'awaiting_shipment');
}

/** Records the order and checks its credit, in one step. */
async function checkCredit(order: Order): Promise<void> {
  const { view } = order;
  const assessment = await order.step(async (activities) => {
    const result = await activities.admitOrder({ ...order.input, workflowId: wf.workflowInfo().workflowId });
    const decidedNow = result.outcome !== 'held';
    Object.assign(view.credit, {
      outcome: result.outcome,
      reasons: result.reasons,
      exposureMinor: result.exposureMinor,
      limitMinor: result.limitMinor,
      decidedBy: decidedNow ? 'system' : null,
      decidedAt: decidedNow ? now() : null,
    });
    view.status = statusAfterCreditCheck(result.outcome) ?? view.status;
    // A rejection is told once, by the order's last entry, with its reasons.
    if (result.outcome !== 'rejected') order.log(timeline.creditChecked(result, view.currency));
    return result;
  });
  if (assessment.outcome !== 'held') return;
  order.state.heldAt = now();
  await order.notify({
    step: 'credit-review',
    template: 'credit_review_requested',
    channel: 'internal',
    to: 'finance',
    data: { orderId: view.orderId, reasons: assessment.reasons, exposureMinor: assessment.exposureMinor },
  });
}

async function awaitCreditDecision(order: Order): Promise<void> {
  const { state, view } = order;
  const policy = order.input.policy.credit;
  const heldAt = Date.parse(state.heldAt!);
  const decided = () => state.creditDecision !== null || state.cancelRequest !== null;
  while (!decided()) {
    const escalated = view.credit.escalationLevel > 0;
    const until = heldAt + (escalated ? policy.decisionDeadlineMs : policy.reviewSlaMs);
    order.setNext({
      at: new Date(until).toISOString(),
      what: escalated ? nextStepWording.cancelUndecided : nextStepWording.escalateCreditReview,
    });
    await order.waitFor(decided, until);
    if (decided() || Date.now() < until) continue;
    if (escalated) {
      await order.close('cancelled', closeReasons.noCreditDecision);
      return;
    }
    await escalate(order);
  }
  order.setNext(null);
  if (state.creditDecision) recordDecision(order, state.creditDecision);
  else await order.close('cancelled', closeReasons.cancelledBy(state.cancelRequest!));
}

async function escalate(order: Order): Promise<void> {
  order.view.credit.escalationLevel = 1;
  order.log(timeline.creditEscalated());
  await order.notify({
    step: 'credit-escalation-1',
    template: 'credit_review_escalated',
    channel: 'internal',
    to: 'finance',
    data: { orderId: order.view.orderId, heldAt: order.state.heldAt, reasons: order.view.credit.reasons },
  });
}

/** The decision finance made (audited when it was taken, see handlers/order.ts). */
function recordDecision(order: Order, decision: CreditDecisionInput): void {
  const { credit } = order.view;
  Object.assign(credit, {
    outcome: decision.decision === 'approve' ? 'approved' : 'rejected',
    decidedBy: decision.decidedBy,
    comment: decision.comment ?? null,
    decidedAt: now(),
  });
  order.log(timeline.creditDecided(decision));
}

async function rejectOrder(order: Order): Promise<void> {
  await order.notify({
    step: 'credit-rejected',
    template: 'order_rejected_credit',
    channel: 'email',
    to: 'customer',
    data: { orderId: order.view.orderId },
  });
  await order.close('credit_rejected', closeReasons.creditRejected(order.view.credit.reasons));
}
