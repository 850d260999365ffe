// Money in and out of the receivable: payments, and the write-off of what collections could
// not collect. Each is applied in a step of its own by the books, against the balance they
// hold; the order takes its figures from what the books answer.
import * as wf from '@temporalio/workflow';
import { type PaymentInput, type PaymentResult, type WriteOffInput, recordPaymentUpdate, writeOffUpdate } from '../contract.js';
import { type Order, type OrderActivities, now } from '../order.js';
import { checkText, conflict, invalid, validatePayment } from '../validation.js';
import { timeline } from '../wording.js';

export function registerPaymentHandlers(order: Order): void {
  const { view, inFlight } = order;

  wf.setHandler(
    recordPaymentUpdate,
    async (payment): Promise<PaymentResult> => {
      const reference = payment.paymentReference;
      // A repeat of a payment still being applied answers with that payment's outcome.
      if (inFlight.payments.has(reference)) await wf.condition(() => !inFlight.payments.has(reference));
      inFlight.payments.set(reference, payment);
      let applied: boolean;
      try {
        applied = await order.requestedStep((activities) => applyPayment(order, activities, payment));
      } finally {
        inFlight.payments.delete(reference);
      }
      // A payment that leaves nothing owed answers once the order is reconciled, so that the
      // payer learns in the same call that it closed.
      await order.settled();
      return { duplicate: !applied, balanceMinor: view.balanceMinor, customerCreditMinor: view.customerCreditMinor, order: view };
    },
    { validator: (payment) => validatePayment(view, order.phase, payment, inFlight.payments) },
  );

  wf.setHandler(
    writeOffUpdate,
    async (request) => {
      inFlight.writeOff = true;
      let amountMinor: number;
      try {
        amountMinor = await order.requestedStep((activities) => writeOff(order, activities, request));
      } finally {
        inFlight.writeOff = false;
      }
      if (amountMinor > 0) {
        await order.audit('write-off', request.approvedBy, 'receivable.written_off', { amountMinor, reason: request.reason });
      }
      await order.settled();
      return view;
    },
    {
      validator: (request) => {
        if (view.status !== 'in_collections') throw conflict(`only an order in collections can be written off (order is ${view.status})`);
        if (inFlight.writeOff || view.writtenOffMinor > 0) throw conflict('the order is already written off');
        // A payment being applied may settle the balance; the write-off waits for its outcome.
        if (inFlight.payments.size > 0) throw conflict('a payment is being applied; try again in a moment');
        // A write-off settles what is owed; a disputed amount is settled by resolving the dispute.
        const disputed = [...order.openDisputes().map((dispute) => dispute.disputeId), ...inFlight.disputes.keys()];
        if (disputed.length > 0) throw conflict(`resolve the open dispute(s) first: ${disputed.join(', ')}`);
        if (!request.approvedBy?.trim() || !request.reason?.trim()) throw invalid('approvedBy and reason are required');
        checkText(request.reason, 'free text', 'reason');
      },
    },
  );
}

/** Applies the payment up to the balance, the rest as customer credit; false for a repeat. */
async function applyPayment(order: Order, activities: OrderActivities, payment: PaymentInput): Promise<boolean> {
  const { view } = order;
  if (view.payments.some((known) => known.paymentReference === payment.paymentReference)) return false;
  const split = await activities.applyPayment({
    orderId: view.orderId,
    customerId: view.customerId,
    invoiceNumber: view.invoice!.invoiceNumber,
    paymentReference: payment.paymentReference,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    method: payment.method,
    receivedAt: payment.receivedAt,
    reportedBy: payment.reportedBy ?? null,
  });
  view.payments.push({
    paymentReference: payment.paymentReference,
    amountMinor: payment.amountMinor,
    method: payment.method,
    receivedAt: payment.receivedAt,
    appliedMinor: split.appliedMinor,
    unappliedMinor: split.unappliedMinor,
  });
  order.log(timeline.paymentReceived(payment, split, view.currency));
  order.booksSay(split.books);
  return true;
}

/** Writes off what the books still hold as owed; paid meanwhile, there is nothing to write off. */
async function writeOff(order: Order, activities: OrderActivities, request: WriteOffInput): Promise<number> {
  const { view } = order;
  const { amountMinor, books } = await activities.writeOff({
    orderId: view.orderId,
    invoiceNumber: view.invoice!.invoiceNumber,
    approvedBy: request.approvedBy,
    reason: request.reason,
    currency: view.currency,
    postedAt: now(),
  });
  order.log(timeline.writtenOff(amountMinor, request.approvedBy, request.reason, view.currency));
  order.booksSay(books);
  return amountMinor;
}
