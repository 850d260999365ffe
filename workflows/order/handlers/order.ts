// Messages about the order as a whole: its start (submitOrder), the credit decision, a
// cancellation, a new reconciliation attempt, and the query that reads it.
import * as wf from '@temporalio/workflow';
import {
  cancelOrderUpdate,
  decideCreditUpdate,
  getOrderQuery,
  reconcileAgainSignal,
  submitOrderUpdate,
} from '../contract.js';
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
      await wf.condition(
        () => view.status !== 'credit_review' && (view.nextStep !== null || (order.phase !== 'credit' && order.phase !== 'fulfillment')),
      );
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
      state.creditDecision = decision;
      await wf.condition(() => view.status !== 'credit_hold');
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
      state.cancelRequest = request;
      await order.audit('cancel', request.requestedBy, 'order.cancel_requested', { reason: request.reason }, request.requestedByRole);
      // Answers with the outcome: cancelled, or invoiced for what has shipped.
      await wf.condition(() => order.phase === 'done' || order.phase === 'collections');
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

  wf.setHandler(reconcileAgainSignal, ({ requestedBy }) => {
    if (view.status !== 'reconciliation_failed') return;
    order.log(timeline.reconciliationRequested(requestedBy));
    state.reconcileRequested = true;
  });
}
