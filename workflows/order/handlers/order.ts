// Messages about the order as a whole: its start (submitOrder), the credit decision, a
// cancellation, finance's retry of a stopped order, and the query that reads it. A decision
// is written to the audit trail, in a step of its own, before the order acts on it.
import * as wf from '@temporalio/workflow';
import { cancelOrderUpdate, decideCreditUpdate, getOrderQuery, retryOrderUpdate, submitOrderUpdate } from '../contract.js';
import type { Order } from '../order.js';
import { checkText, conflict, invalid } from '../validation.js';
import { timeline } from '../wording.js';

export function registerOrderHandlers(order: Order): void {
  const { state, view } = order;

  wf.setHandler(getOrderQuery, () => view);

  wf.setHandler(
    submitOrderUpdate,
    async () => {
      const created = !state.submitted;
      state.submitted = true;
      // The caller learns at once whether the order goes ahead, is held or is rejected, and
      // what happens next (the shipment deadline, the credit review's escalation).
      await order.settled();
      return { created, order: view };
    },
    {
      validator: ({ requestFingerprint }) => {
        if (order.input.requestFingerprint && requestFingerprint !== order.input.requestFingerprint) {
          throw conflict(`order ${view.orderId} already exists with different details`);
        }
      },
    },
  );

  wf.setHandler(
    decideCreditUpdate,
    async (decision) => {
      await order.requestedStep(async (activities) => {
        const outcome = decision.decision === 'approve' ? 'approved' : 'rejected';
        await activities.recordAudit(
          order.auditEntry('credit-decision', decision.decidedBy, `credit.${outcome}`, {
            comment: decision.comment ?? null,
            exposureMinor: view.credit.exposureMinor,
            limitMinor: view.credit.limitMinor,
          }),
        );
        state.creditDecision = decision;
      });
      await order.settled();
      return view;
    },
    {
      validator: (decision) => {
        if (view.status !== 'credit_hold') throw conflict(`no credit decision is pending (order is ${view.status})`);
        if (state.creditDecision) throw conflict('a credit decision was already made');
        if (decision.decision !== 'approve' && decision.decision !== 'reject') throw invalid('decision must be approve or reject');
        if (!decision.decidedBy?.trim()) throw invalid('decidedBy is required');
        checkText(decision.comment, 'free text', 'comment', true);
      },
    },
  );

  wf.setHandler(
    cancelOrderUpdate,
    async (request) => {
      await order.requestedStep(async (activities) => {
        await activities.recordAudit(
          order.auditEntry('cancel', request.requestedBy, 'order.cancel_requested', { reason: request.reason }, request.requestedByRole),
        );
        state.cancelRequest = request;
      });
      // Answers with the outcome: cancelled, or invoiced for what has shipped.
      await order.settled();
      return view;
    },
    {
      validator: (request) => {
        if (order.phase !== 'credit' && order.phase !== 'fulfillment') {
          throw conflict(`an order that is ${view.status} cannot be cancelled; after invoicing use a credit note`);
        }
        if (state.cancelRequest) throw conflict('the order is already being cancelled');
        if (!request.reason?.trim() || !request.requestedBy?.trim()) throw invalid('reason and requestedBy are required');
        checkText(request.reason, 'free text', 'reason');
      },
    },
  );

  wf.setHandler(
    retryOrderUpdate,
    async (request) => {
      await order.requestedStep(async (activities) => {
        await activities.recordAudit(
          order.auditEntry(`retry:${view.timeline.length}`, request.requestedBy, 'order.retry_requested', {
            status: view.status,
            reason: view.attention?.reason ?? view.closedReason,
            comment: request.comment ?? null,
          }),
        );
        order.log(timeline.retryRequested(request.requestedBy));
        state.retryRequested = true;
      });
      await order.settled();
      return view;
    },
    {
      validator: (request) => {
        if (view.status !== 'needs_attention' && view.status !== 'reconciliation_failed') {
          throw conflict(`only an order that needs attention or failed reconciliation can be retried (order is ${view.status})`);
        }
        if (state.retryRequested) throw conflict('a retry was already requested');
        if (!request.requestedBy?.trim()) throw invalid('requestedBy is required');
        checkText(request.comment, 'free text', 'comment', true);
      },
    },
  );
}
