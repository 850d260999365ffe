// One durable workflow per order, from credit check to reconciled cash. It orchestrates:
// rules live in ./rules (pure), side effects in activities (idempotent on keys derived from
// the workflow ID and the step). Short steps on our own database run as local activities,
// which keeps an order's server round trips, and so throughput, close to Temporal's floor.
import * as wf from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import {
  type ActorRole,
  type CancelInput,
  type CreditDecisionInput,
  type DisputeState,
  type InvoiceState,
  type NextStep,
  type OrderInput,
  type OrderResult,
  OrderSearchAttributes,
  type OrderStatus,
  type OrderView,
  type PaymentInput,
  type PaymentResult,
  type PaymentState,
  type ShipmentInput,
  cancelOrderUpdate,
  decideCreditUpdate,
  getOrderQuery,
  openDisputeUpdate,
  reconcileAgainSignal,
  recordPaymentUpdate,
  recordShipmentUpdate,
  resolveDisputeUpdate,
  submitOrderUpdate,
  writeOffUpdate,
} from './contract.js';
import { type CreditAssessment, statusAfterCreditCheck } from './rules/credit.js';
import { describeStep, dunningSchedule, nextDueStep, shiftStep } from './rules/dunning.js';
import { addDays, draftInvoice, dueDateFrom, orderTotals, startOfDayIso } from './rules/invoice.js';
import { formatMoney } from './rules/money.js';
import { balanceMinor, dunnableMinor, splitPayment } from './rules/receivable.js';
import {
  conflict,
  invalid,
  validateDispute,
  validatePayment,
  validateResolution,
  validateShipment,
} from './validation.js';

const localActivities = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  // Past this a retry becomes a durable timer instead of an in-memory backoff.
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The order's local activities, run one at a time. On replay a local activity resolves from
 * its marker in the activation after it was scheduled, so two in flight at once resolve
 * together, where the original run saw them one by one; code continuing after each (an
 * update completing, a search attribute upsert) would then emit its commands in another
 * order and fail replay. With one in flight at a time every resolution has an activation
 * of its own, live and on replay alike.
 */
function oneAtATime(activities: typeof localActivities): typeof localActivities {
  let lane: Promise<unknown> = Promise.resolve();
  return new Proxy(activities, {
    get(target, name) {
      const activity = Reflect.get(target, name) as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => {
        const run = lane.then(() => activity(...args));
        lane = run.catch(() => undefined);
        return run;
      };
    },
  });
}

type ReconciliationProof = Awaited<ReturnType<Activities['reconcileOrder']>>;

type Phase = 'credit' | 'fulfillment' | 'invoicing' | 'collections' | 'reconciling' | 'done';

/** Everything the order knows; carried whole across continue-as-new. */
export interface OrderState {
  view: OrderView;
  phase: Phase;
  heldAt: string | null;
  fulfillmentDeadlineAt: string | null;
  creditDecision: CreditDecisionInput | null;
  cancelRequest: CancelInput | null;
  dunningDone: string[];
  /** Total time dunning stood still for open disputes; later steps move by as much. */
  pausedMs: number;
  reconcileRequested: boolean;
  /** The hand-off to collections went out. */
  inCollections: boolean;
  /** A submitOrder update was answered: later ones are repeats of the same request. */
  submitted?: boolean;
}

const now = () => new Date(Date.now()).toISOString();

function initialState(input: OrderInput): OrderState {
  return {
    phase: 'credit',
    heldAt: null,
    fulfillmentDeadlineAt: null,
    creditDecision: null,
    cancelRequest: null,
    dunningDone: [],
    pausedMs: 0,
    reconcileRequested: false,
    inCollections: false,
    view: {
      orderId: input.orderId,
      customerId: input.customerId,
      currency: input.currency,
      status: 'credit_review',
      lines: input.lines,
      shippedQuantities: Object.fromEntries(input.lines.map((l) => [l.lineId, 0])),
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
      timeline: [{ at: now(), event: 'order received' }],
    },
  };
}

export async function orderWorkflow(input: OrderInput, carried?: OrderState): Promise<OrderResult> {
  const local = oneAtATime(localActivities);
  const s = carried ?? initialState(input);
  const v = s.view;
  // Runs begun from here on take fewer steps on the happy path: one local activity takes
  // the order in, search attributes change where an order waits rather than at every step,
  // the payment that settles the order answers once it is closed, and reconciliation keeps
  // the final state. Runs begun before keep the path they began on (a run continued as new
  // takes the new path; it carries its state and search attributes).
  // Runs begun later still take one local activity per message on the happy path: the
  // shipment that completes the order carries its invoice, the payment that settles it closes
  // its books. A patch that extends the lean path replaces its marker and implies it, so an
  // order records one patch marker (and one version search attribute update), not one per change.
  const onePerMessage = wf.patched('one-local-activity-per-message');
  const lean = onePerMessage || wf.patched('lean-happy-path');
  const workflowId = wf.workflowInfo().workflowId;
  const money = (minor: number) => formatMoney(minor, input.currency);
  // Shipments and disputes being recorded, so that concurrent requests are validated
  // against what is already on its way, not only what has landed.
  const pendingShipments = new Map<string, ShipmentInput['lines']>();
  const pendingPayments = new Map<string, { payment: PaymentInput; done: Promise<void> }>();
  const pendingDisputes = new Map<string, number>();
  let writeOffPending = false;
  /** The invoice issued with the shipment that completed the order, for the invoice stage. */
  let invoicedWithShipment: InvoiceState | null = null;
  /** A payment that settles the order is being applied, with the reconciliation. */
  let settlingPayment = false;
  /**
   * The books as the payment that settled the order left them, for the reconciliation stage:
   * it stands if the order is still exactly as `view` (closed at `at`) foresaw.
   */
  let reconciledWithPayment: { proof: ReconciliationProof; view: OrderView; at: string; syncsBefore: number } | null = null;
  // Payments, credit notes and write-offs change the balance one at a time: each works out
  // its figures from the balance the previous one left.
  let moneyLane: Promise<unknown> = Promise.resolve();
  let moneyBusy = 0;
  function withMoney<T>(work: () => Promise<T>): Promise<T> {
    moneyBusy += 1;
    const run = moneyLane.then(work);
    moneyLane = run.catch(() => undefined).finally(() => {
      moneyBusy -= 1;
    });
    return run;
  }

  // ---- derived figures, search attributes, current details, read model --------------

  const openDisputes = (view: OrderView = v): DisputeState[] => view.disputes.filter((d) => d.status === 'open');
  const openDisputedMinor = (view: OrderView = v) => openDisputes(view).reduce((sum, d) => sum + d.amountMinor, 0);
  const pendingDisputedMinor = () => [...pendingDisputes.values()].reduce((sum, n) => sum + n, 0);
  /** Nothing left to pay or dispute. */
  const nothingOwed = () => v.balanceMinor === 0 && openDisputes().length === 0 && pendingDisputes.size === 0;
  /** Settled while collecting: the order closes next. */
  const settling = () => s.phase === 'collections' && nothingOwed();

  /** The view's balance, what dunning may ask for and the customer's credit, from its entries. */
  function figures(view: OrderView): void {
    if (view.invoice) {
      view.balanceMinor = balanceMinor({
        invoiceTotalMinor: view.invoice.totalMinor,
        feesMinor: view.fees.reduce((sum, f) => sum + f.amountMinor, 0),
        appliedPaymentsMinor: view.payments.reduce((sum, p) => sum + p.appliedMinor, 0),
        creditNotesMinor: view.creditNotes.reduce((sum, c) => sum + c.amountMinor, 0),
        writtenOffMinor: view.writtenOffMinor,
      });
      view.dunnableMinor = dunnableMinor(view.balanceMinor, openDisputedMinor(view));
    }
    view.customerCreditMinor = view.payments.reduce((sum, p) => sum + p.unappliedMinor, 0);
  }

  function refresh(): void {
    figures(v);
    if (s.phase === 'collections') v.status = collectionsStatus();
    // A settled order's search attributes change once more, when it closes moments later.
    publish(!(lean && settling()));
  }

  function collectionsStatus(): OrderStatus {
    if (s.inCollections) return 'in_collections';
    if (openDisputes().length > 0) return 'disputed';
    if (v.invoice && Date.now() >= Date.parse(startOfDayIso(addDays(v.invoice.dueDate, 1)))) return 'overdue';
    return 'awaiting_payment';
  }

  /** What operators filter on and what the read model keeps: one derivation for both. */
  function snapshot() {
    return {
      status: v.status,
      amountDueMinor: v.balanceMinor,
      dunningLevel: v.dunningLevel,
      invoiceNumber: v.invoice?.invoiceNumber ?? null,
      dueDate: v.invoice?.dueDate ?? null,
    };
  }

  let published = '';
  /** Current details always; search attributes too unless `upsert` is false. */
  function publish(upsert = true): void {
    const attrs = snapshot();
    const key = JSON.stringify(attrs);
    if (upsert && key !== published) {
      published = key;
      wf.upsertSearchAttributes([
        { key: OrderSearchAttributes.status, value: attrs.status },
        { key: OrderSearchAttributes.customerId, value: v.customerId },
        { key: OrderSearchAttributes.currency, value: v.currency },
        { key: OrderSearchAttributes.amountDue, value: attrs.amountDueMinor },
        { key: OrderSearchAttributes.dunningLevel, value: attrs.dunningLevel },
        { key: OrderSearchAttributes.invoiceNumber, value: attrs.invoiceNumber },
        { key: OrderSearchAttributes.dueDate, value: attrs.dueDate ? new Date(startOfDayIso(attrs.dueDate)) : null },
      ]);
    }
    wf.setCurrentDetails(details());
  }

  function details(): string {
    const next = v.nextStep ? `, next ${v.nextStep.what} on ${v.nextStep.at.slice(0, 10)}` : '';
    switch (v.status) {
      case 'credit_review':
        return 'checking credit';
      case 'credit_hold':
        return `held for a credit decision by finance (escalation level ${v.credit.escalationLevel}): ${v.credit.reasons.join('; ')}${next}`;
      case 'awaiting_shipment':
      case 'partially_shipped': {
        const open = v.lines.map((l) => `${l.lineId} ${v.shippedQuantities[l.lineId] ?? 0}/${l.quantity}`).join(', ');
        return `waiting for shipment (${open})${next}`;
      }
      case 'awaiting_payment':
      case 'overdue':
        return `waiting for payment of ${money(v.dunnableMinor)}, due ${v.invoice?.dueDate}${next}`;
      case 'disputed':
        return `dunning paused: ${openDisputes().length} open dispute(s) over ${money(openDisputedMinor())}; balance ${money(v.balanceMinor)}`;
      case 'in_collections':
        return `with collections: ${money(v.balanceMinor)} open; waiting for payment or a write-off`;
      case 'reconciling':
        return 'reconciling';
      case 'reconciliation_failed':
        return `reconciliation failed, needs a person: ${v.closedReason}`;
      default:
        return `${v.status}${v.closedReason ? `: ${v.closedReason}` : ''}`;
    }
  }

  const entry = (event: string, detail?: string, at = now()) => ({ at, event, ...(detail ? { detail } : {}) });
  function log(event: string, detail?: string, at?: string): void {
    v.timeline.push(entry(event, detail, at));
  }

  function setNext(next: NextStep | null, upsert = true): void {
    v.nextStep = next;
    publish(upsert);
  }

  // Read-model writes go one at a time, each with the state as it is when it runs, so a
  // slow earlier write can never land after (and over) a newer one.
  let syncing: Promise<void> = Promise.resolve();
  let synced = '';
  const readModelRow = () => ({ ...snapshot(), closed: ['closed', 'cancelled', 'credit_rejected'].includes(v.status) });
  /** An activity wrote the read model as it now stands: nothing to sync. */
  const markSynced = () => {
    synced = JSON.stringify(readModelRow());
  };
  let syncCalls = 0;
  function sync(): Promise<void> {
    syncCalls += 1;
    syncing = syncing.then(async () => {
      const row = readModelRow();
      const key = JSON.stringify(row);
      if (key === synced) return;
      // A closed order keeps its final state in the database, for reads after retention.
      await local.syncOrder({ orderId: v.orderId, ...row, ...(row.closed ? { finalView: v } : {}) });
      synced = key;
    });
    return syncing;
  }

  function audit(
    step: string,
    actor: string,
    action: string,
    detail: Record<string, unknown> = {},
    role: ActorRole = 'finance',
  ): Promise<unknown> {
    return local.recordAudit({
      step: `audit:${step}`,
      actorKind: actor === 'system' ? 'system' : role,
      actor,
      action,
      subjectType: 'order',
      subjectId: v.orderId,
      detail,
    });
  }

  const closeReason = () => (v.writtenOffMinor > 0 ? 'written off' : 'paid and reconciled');
  const paymentDetail = (payment: PaymentInput, split: { unappliedMinor: number }) =>
    `${payment.paymentReference}: ${money(payment.amountMinor)}${split.unappliedMinor > 0 ? `, ${money(split.unappliedMinor)} kept as customer credit` : ''}`;

  const notifyBase = { customerId: v.customerId, subjectType: 'order', subjectId: v.orderId };

  /** The order as it will stand once closed with this status and reason. */
  function closedView(status: OrderStatus, reason: string, at = now(), from: OrderView = v): OrderView {
    return {
      ...from,
      status,
      closedReason: reason,
      nextStep: null,
      timeline: [...from.timeline, entry(status.replaceAll('_', ' '), reason, at)],
    };
  }

  /**
   * Closes the order. `written`: an activity already stored that view as the final state, in
   * its own time; it stands only if nothing changed the order or wrote its row since.
   */
  async function close(status: OrderStatus, reason: string, written?: { view: OrderView; syncsBefore: number }): Promise<void> {
    v.status = status;
    v.closedReason = reason;
    s.phase = 'done';
    setNext(null);
    if (written) v.timeline.push(written.view.timeline.at(-1)!);
    else log(status.replaceAll('_', ' '), reason);
    if (written && syncCalls === written.syncsBefore && JSON.stringify(v) === JSON.stringify(written.view)) markSynced();
    else await sync();
  }

  // Rolls over only between messages: a handler may be waiting for this very loop, so the
  // loop never waits for handlers here; it tries again when they are done.
  const rollover = () => wf.workflowInfo().continueAsNewSuggested && wf.allHandlersFinished();
  async function continueAsNewIfSuggested(): Promise<void> {
    if (!rollover()) return;
    await syncing;
    if (!rollover()) return;
    log('history rolled over', 'continued as new with all state');
    await wf.continueAsNew<typeof orderWorkflow>(input, s);
  }

  // ---- messages ------------------------------------------------------------------------

  wf.setHandler(getOrderQuery, () => v);

  wf.setHandler(
    submitOrderUpdate,
    async () => {
      const created = !s.submitted;
      s.submitted = true;
      // The caller learns at once whether the order goes ahead, is held or is rejected, and
      // what happens next (the shipment deadline, the credit review's escalation).
      await wf.condition(
        () => v.status !== 'credit_review' && (v.nextStep !== null || (s.phase !== 'credit' && s.phase !== 'fulfillment')),
      );
      return { created, order: v };
    },
    {
      validator: ({ requestFingerprint }) => {
        if (input.requestFingerprint && requestFingerprint !== input.requestFingerprint) {
          throw conflict(`order ${v.orderId} already exists with different details`);
        }
      },
    },
  );

  wf.setHandler(
    decideCreditUpdate,
    async (decision) => {
      s.creditDecision = decision;
      await wf.condition(() => v.status !== 'credit_hold');
      return v;
    },
    {
      validator: (d) => {
        if (v.status !== 'credit_hold') throw conflict(`no credit decision is pending (order is ${v.status})`);
        if (s.creditDecision) throw conflict('a credit decision was already made');
        if (d.decision !== 'approve' && d.decision !== 'reject') throw invalid('decision must be approve or reject');
        if (!d.decidedBy?.trim()) throw invalid('decidedBy is required');
      },
    },
  );

  wf.setHandler(
    recordShipmentUpdate,
    async (shipment) => {
      if (s.phase === 'credit') {
        // Waits out the automatic check (moments), never a person's decision on a hold: held,
        // the shipment is refused at once instead of keeping its caller waiting for days.
        const refuseOnHold = wf.patched('shipment-refused-on-credit-hold');
        await wf.condition(() => s.phase !== 'credit' || (refuseOnHold && v.status === 'credit_hold'));
        // Throws a failure, not a plain error: the update is refused, the workflow task is not.
        validateShipment(v, s.phase, shipment, pendingShipments);
      }
      pendingShipments.set(shipment.shipmentId, shipment.lines);
      const shippedAt = shipment.shippedAt ?? now();
      const record = {
        orderId: v.orderId,
        shipmentId: shipment.shipmentId,
        lines: shipment.lines,
        shippedAt,
        reportedBy: shipment.reportedBy ?? null,
      };
      // The shipment that completes the order takes the invoice with it, when it is the only
      // one under way: the invoice then covers exactly what has shipped.
      const shippedAfter = { ...v.shippedQuantities };
      for (const line of shipment.lines) shippedAfter[line.lineId] = (shippedAfter[line.lineId] ?? 0) + line.quantity;
      const last =
        onePerMessage &&
        s.phase === 'fulfillment' &&
        pendingShipments.size === 1 &&
        v.lines.every((l) => (shippedAfter[l.lineId] ?? 0) >= l.quantity);
      try {
        if (last) invoicedWithShipment = await local.recordShipmentAndInvoice({ shipment: record, invoice: invoiceRequest(shippedAfter) });
        else await local.recordShipment(record);
        v.shipments.push({ shipmentId: shipment.shipmentId, lines: shipment.lines, shippedAt });
        for (const line of shipment.lines) v.shippedQuantities[line.lineId] = (v.shippedQuantities[line.lineId] ?? 0) + line.quantity;
      } finally {
        pendingShipments.delete(shipment.shipmentId);
      }
      log('shipment recorded', `${shipment.shipmentId}: ${shipment.lines.map((l) => `${l.lineId}×${l.quantity}`).join(', ')}`);
      if (!fullyShipped()) v.status = 'partially_shipped';
      publish();
      // A shipment that completes the order answers once the invoice is out.
      await wf.condition(() => !fullyShipped() || v.invoice !== null || s.phase === 'done');
      if (v.status === 'partially_shipped') await sync();
      return v;
    },
    { validator: (shipment) => validateShipment(v, s.phase, shipment, pendingShipments) },
  );

  wf.setHandler(
    cancelOrderUpdate,
    async (request) => {
      s.cancelRequest = request;
      await audit('cancel', request.requestedBy, 'order.cancel_requested', { reason: request.reason }, request.requestedByRole);
      // Answers with the outcome: cancelled, or invoiced for what has shipped.
      await wf.condition(() => s.phase === 'done' || v.invoice !== null);
      return v;
    },
    {
      validator: (request) => {
        if (s.phase !== 'credit' && s.phase !== 'fulfillment') {
          throw conflict(`an order that is ${v.status} cannot be cancelled; after invoicing use a credit note`);
        }
        if (s.cancelRequest) throw conflict('the order is already being cancelled');
        if (!request.reason?.trim() || !request.requestedBy?.trim()) throw invalid('reason and requestedBy are required');
      },
    },
  );

  wf.setHandler(
    recordPaymentUpdate,
    async (payment): Promise<PaymentResult> => {
      const inFlight = pendingPayments.get(payment.paymentReference);
      if (inFlight) await inFlight.done;
      if (v.payments.some((p) => p.paymentReference === payment.paymentReference)) {
        return { duplicate: true, balanceMinor: v.balanceMinor, customerCreditMinor: v.customerCreditMinor, order: v };
      }
      const applying = withMoney(async () => {
        const split = splitPayment(v.balanceMinor, payment.amountMinor);
        const request = {
          orderId: v.orderId,
          customerId: v.customerId,
          invoiceNumber: v.invoice!.invoiceNumber,
          paymentReference: payment.paymentReference,
          amountMinor: payment.amountMinor,
          currency: payment.currency,
          method: payment.method,
          receivedAt: payment.receivedAt,
          reportedBy: payment.reportedBy ?? null,
          ...split,
        };
        const applied: PaymentState = {
          paymentReference: payment.paymentReference,
          amountMinor: payment.amountMinor,
          method: payment.method,
          receivedAt: payment.receivedAt,
          ...split,
        };
        // A payment that settles the order closes its books in the same step, when nothing
        // else under way could change what it settles (another payment, a dispute, a write-off).
        const settles =
          onePerMessage &&
          s.phase === 'collections' &&
          v.balanceMinor > 0 &&
          split.appliedMinor === v.balanceMinor &&
          moneyBusy === 1 &&
          pendingPayments.size === 1 &&
          !writeOffPending &&
          openDisputes().length === 0 &&
          pendingDisputes.size === 0;
        let at: string | undefined;
        if (settles) {
          at = now();
          // The order as it will close: this payment in, logged, and the books closed.
          const paid: OrderView = JSON.parse(JSON.stringify(v));
          paid.payments.push(applied);
          figures(paid);
          paid.timeline.push(entry('payment received', paymentDetail(payment, split), at));
          const reason = closeReason();
          const view = closedView('closed', reason, at, paid);
          const syncsBefore = syncCalls;
          settlingPayment = true;
          try {
            const { proof } = await local.applySettlingPayment({
              ...request,
              reconcile: { orderId: v.orderId, invoiceNumber: v.invoice!.invoiceNumber, writtenOff: v.writtenOffMinor > 0, finalView: view },
            });
            reconciledWithPayment = { proof, view, at, syncsBefore };
          } finally {
            settlingPayment = false;
          }
        } else {
          await local.applyPayment(request);
        }
        v.payments.push(applied);
        refresh();
        return { split, at };
      });
      // Waited on by a repeat of this reference; its failure is reported by this handler.
      pendingPayments.set(payment.paymentReference, { payment, done: applying.then(() => undefined, () => undefined) });
      let outcome: { split: { appliedMinor: number; unappliedMinor: number }; at: string | undefined };
      try {
        outcome = await applying;
      } finally {
        pendingPayments.delete(payment.paymentReference);
      }
      log('payment received', paymentDetail(payment, outcome.split), outcome.at);
      // A payment that settles the order answers once the order is reconciled, so the payer
      // learns in the same call that it closed; the close writes the read model then. Runs
      // begun before the lean path decide as they did then, under their own patch.
      const answerOnceClosed = lean ? settling() : nothingOwed() && wf.patched('payment-answers-once-closed');
      if (answerOnceClosed) {
        await wf.condition(() => s.phase === 'done' || v.status === 'reconciliation_failed' || !nothingOwed());
        if (s.phase !== 'done' && v.status !== 'reconciliation_failed') await sync();
      } else {
        await sync();
      }
      return { duplicate: false, balanceMinor: v.balanceMinor, customerCreditMinor: v.customerCreditMinor, order: v };
    },
    {
      validator: (payment) =>
        validatePayment(v, s.phase, payment, new Map([...pendingPayments].map(([ref, p]) => [ref, p.payment]))),
    },
  );

  wf.setHandler(
    openDisputeUpdate,
    async (dispute) => {
      pendingDisputes.set(dispute.disputeId, dispute.amountMinor);
      const openedAt = now();
      try {
        await local.recordDispute({
          orderId: v.orderId,
          disputeId: dispute.disputeId,
          invoiceNumber: v.invoice!.invoiceNumber,
          amountMinor: dispute.amountMinor,
          reason: dispute.reason,
          openedBy: dispute.openedBy,
          openedAt,
          resumeOn: dispute.resumeOn ?? null,
        });
      } finally {
        pendingDisputes.delete(dispute.disputeId);
      }
      v.disputes.push({
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
      log('dispute opened', `${dispute.disputeId}: ${money(dispute.amountMinor)}, ${dispute.reason} (by ${dispute.openedBy})`);
      refresh();
      await Promise.all([sync(), audit(`dispute-open:${dispute.disputeId}`, dispute.openedBy, 'dispute.opened', { ...dispute })]);
      return v;
    },
    {
      validator: (dispute) => {
        if (writeOffPending) throw conflict('the order is being written off');
        if (settlingPayment) throw conflict('a payment that settles the order is being applied; try again in a moment');
        validateDispute(v, s.phase, dispute, new Set(pendingDisputes.keys()), openDisputedMinor() + pendingDisputedMinor());
      },
    },
  );

  wf.setHandler(
    resolveDisputeUpdate,
    async (resolution) => {
      const dispute = v.disputes.find((d) => d.disputeId === resolution.disputeId)!;
      // Marked first, so that a second resolution of the same dispute is refused at once.
      const resolvedAt = now();
      dispute.resolvedAt = resolvedAt;
      dispute.resolvedBy = resolution.resolvedBy;
      const acceptedMinor = await withMoney(async () => {
        // Never credit more than is still owed (the customer may have paid meanwhile).
        const accepted =
          resolution.outcome === 'accepted' ? Math.min(resolution.acceptedMinor ?? dispute.amountMinor, v.balanceMinor) : 0;
        if (accepted > 0) await creditDispute(dispute, accepted, resolvedAt);
        dispute.status = resolution.outcome;
        return accepted;
      });
      await local.resolveDispute({
        orderId: v.orderId,
        disputeId: dispute.disputeId,
        status: resolution.outcome,
        acceptedMinor,
        resolvedBy: resolution.resolvedBy,
        resolvedAt,
        comment: resolution.comment ?? null,
      });
      Object.assign(dispute, {
        acceptedMinor,
        resolvedBy: resolution.resolvedBy,
        resolvedAt,
        comment: resolution.comment ?? null,
      });
      log(
        `dispute ${resolution.outcome}`,
        `${dispute.disputeId}${acceptedMinor > 0 ? `: credit note for ${money(acceptedMinor)}` : ''} (by ${resolution.resolvedBy})`,
      );
      refresh();
      await Promise.all([
        sync(),
        audit(`dispute-resolve:${dispute.disputeId}`, resolution.resolvedBy, `dispute.${resolution.outcome}`, {
          disputeId: dispute.disputeId,
          acceptedMinor,
          comment: resolution.comment ?? null,
        }),
      ]);
      return v;
    },
    {
      validator: (resolution) => {
        if (s.phase !== 'collections') throw conflict(`the order is ${v.status}: disputes can no longer be resolved here`);
        validateResolution(v, resolution);
      },
    },
  );

  async function creditDispute(dispute: DisputeState, amountMinor: number, issuedAt: string): Promise<void> {
    const { creditNoteId } = await local.issueCreditNote({
      orderId: v.orderId,
      invoiceNumber: v.invoice!.invoiceNumber,
      disputeId: dispute.disputeId,
      amountMinor,
      reason: `dispute ${dispute.disputeId} accepted: ${dispute.reason}`,
      currency: v.currency,
      issuedAt,
    });
    v.creditNotes.push({ creditNoteId, amountMinor, reason: dispute.reason, issuedAt });
    refresh();
  }

  wf.setHandler(
    writeOffUpdate,
    async (request) => {
      writeOffPending = true;
      const writingOff = withMoney(async () => {
        const amount = v.balanceMinor;
        // Paid meanwhile: nothing is left to write off (a zero write-off is not a posting).
        if (amount === 0 && wf.patched('write-off-nothing-owed')) return 0;
        await local.writeOff({
          orderId: v.orderId,
          invoiceNumber: v.invoice!.invoiceNumber,
          amountMinor: amount,
          approvedBy: request.approvedBy,
          reason: request.reason,
          currency: v.currency,
          postedAt: now(),
        });
        v.writtenOffMinor += amount;
        refresh();
        return amount;
      });
      // A write-off that failed leaves the order open to another attempt and to disputes.
      const amountMinor = await writingOff.catch((err: unknown) => {
        writeOffPending = false;
        throw err;
      });
      if (amountMinor > 0) {
        log('written off', `${money(amountMinor)} approved by ${request.approvedBy}: ${request.reason}`);
        await audit('write-off', request.approvedBy, 'receivable.written_off', { amountMinor, reason: request.reason });
      } else {
        log('write-off not needed', `paid in full before the write-off approved by ${request.approvedBy}`);
      }
      await wf.condition(() => s.phase === 'done' || v.status === 'reconciliation_failed');
      return v;
    },
    {
      validator: (request) => {
        if (v.status !== 'in_collections') throw conflict(`only an order in collections can be written off (order is ${v.status})`);
        if (writeOffPending || v.writtenOffMinor > 0) throw conflict('the order is already written off');
        // A payment being applied may settle the balance; the write-off waits for its outcome.
        if (moneyBusy > 0 || pendingPayments.size > 0) throw conflict('a payment is being applied; try again in a moment');
        // A write-off settles what is owed; a disputed amount is settled by resolving the dispute.
        const disputed = openDisputes().map((d) => d.disputeId);
        if (disputed.length > 0 || pendingDisputes.size > 0) {
          throw conflict(`resolve the open dispute(s) first: ${[...disputed, ...pendingDisputes.keys()].join(', ')}`);
        }
        if (!request.approvedBy?.trim() || !request.reason?.trim()) throw invalid('approvedBy and reason are required');
      },
    },
  );

  wf.setHandler(reconcileAgainSignal, ({ requestedBy }) => {
    if (v.status !== 'reconciliation_failed') return;
    log('reconciliation requested again', `by ${requestedBy}`);
    s.reconcileRequested = true;
  });

  const fullyShipped = () => v.lines.every((l) => (v.shippedQuantities[l.lineId] ?? 0) >= l.quantity);
  const anyShipped = () => v.shipments.length > 0;

  // ---- stages ----------------------------------------------------------------------------

  /** The read model's status as admitOrder left it, in this run. */
  let admittedAs: OrderStatus | null = null;

  async function creditStage(): Promise<void> {
    if (v.credit.outcome === null) {
      let assessment: CreditAssessment;
      if (lean) {
        assessment = await local.admitOrder({ ...input, workflowId });
        admittedAs = statusAfterCreditCheck(assessment.outcome);
      } else {
        await local.recordOrder({ ...input, workflowId });
        assessment = await local.assessCredit({
          orderId: v.orderId,
          customerId: v.customerId,
          orderTotalMinor: orderTotals(input.lines, input.taxRateBps).totalMinor,
          policy: input.policy.credit,
        });
      }
      Object.assign(v.credit, {
        outcome: assessment.outcome,
        reasons: assessment.reasons,
        exposureMinor: assessment.exposureMinor,
        limitMinor: assessment.limitMinor,
        decidedBy: assessment.outcome === 'held' ? null : 'system',
        decidedAt: assessment.outcome === 'held' ? null : now(),
      });
      log(`credit ${assessment.outcome}`, assessment.reasons.join('; ') || `exposure ${money(assessment.exposureMinor)} within limit`);
      if (assessment.outcome === 'held') {
        s.heldAt = now();
        v.status = 'credit_hold';
        publish();
        if (admittedAs === v.status) markSynced();
        await Promise.all([
          sync(),
          local.notify({
            ...notifyBase,
            step: 'credit-review',
            template: 'credit_review_requested',
            channel: 'internal',
            to: 'finance',
            data: { orderId: v.orderId, reasons: assessment.reasons, exposureMinor: assessment.exposureMinor },
          }),
        ]);
      }
    }
    if (v.credit.outcome === 'held') await awaitCreditDecision();
    if (s.phase !== 'credit') return;
    if (v.credit.outcome === 'rejected') {
      await local.notify({
        ...notifyBase,
        step: 'credit-rejected',
        template: 'order_rejected_credit',
        channel: 'email',
        to: 'customer',
        data: { orderId: v.orderId },
      });
      await close('credit_rejected', v.credit.reasons.join('; ') || 'credit rejected');
      return;
    }
    s.phase = 'fulfillment';
    v.status = 'awaiting_shipment';
    if (admittedAs === v.status) markSynced();
    else await sync();
  }

  async function awaitCreditDecision(): Promise<void> {
    const heldAt = Date.parse(s.heldAt!);
    const slaAt = heldAt + input.policy.credit.reviewSlaMs;
    const deadlineAt = heldAt + input.policy.credit.decisionDeadlineMs;
    const decided = () => s.creditDecision !== null || s.cancelRequest !== null;
    while (!decided()) {
      const escalated = v.credit.escalationLevel > 0;
      const until = escalated ? deadlineAt : slaAt;
      setNext({ at: new Date(until).toISOString(), what: escalated ? 'cancel for want of a credit decision' : 'escalate the credit review' });
      await wf.condition(() => decided() || rollover(), Math.max(0, until - Date.now()));
      if (decided()) break;
      if (rollover()) {
        await continueAsNewIfSuggested();
        continue;
      }
      if (Date.now() < until) continue;
      if (!escalated) {
        v.credit.escalationLevel = 1;
        log('credit review escalated', 'no decision within the review SLA');
        publish();
        await local.notify({
          ...notifyBase,
          step: 'credit-escalation-1',
          template: 'credit_review_escalated',
          channel: 'internal',
          to: 'finance',
          data: { orderId: v.orderId, heldAt: s.heldAt, reasons: v.credit.reasons },
        });
        continue;
      }
      await close('cancelled', 'no credit decision by the deadline');
      return;
    }
    setNext(null);
    if (s.cancelRequest && !s.creditDecision) {
      await close('cancelled', `cancelled by ${s.cancelRequest.requestedBy}: ${s.cancelRequest.reason}`);
      return;
    }
    const decision = s.creditDecision!;
    Object.assign(v.credit, {
      outcome: decision.decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: decision.decidedBy,
      comment: decision.comment ?? null,
      decidedAt: now(),
    });
    log(`credit ${v.credit.outcome} by ${decision.decidedBy}`, decision.comment);
    await audit('credit-decision', decision.decidedBy, `credit.${v.credit.outcome}`, {
      comment: decision.comment ?? null,
      exposureMinor: v.credit.exposureMinor,
      limitMinor: v.credit.limitMinor,
    });
  }

  async function fulfillmentStage(): Promise<void> {
    s.fulfillmentDeadlineAt ??= new Date(Date.now() + input.policy.fulfillmentDeadlineMs).toISOString();
    const deadlineAt = Date.parse(s.fulfillmentDeadlineAt);
    const settled = () => (fullyShipped() && pendingShipments.size === 0) || s.cancelRequest !== null;
    setNext({ at: s.fulfillmentDeadlineAt, what: 'cancel what has not shipped' });
    while (!settled()) {
      await wf.condition(() => settled() || rollover(), Math.max(0, deadlineAt - Date.now()));
      if (settled()) break;
      if (rollover()) {
        await continueAsNewIfSuggested();
        continue;
      }
      if (Date.now() >= deadlineAt) break;
    }
    await wf.condition(() => pendingShipments.size === 0);
    setNext(null);
    if (fullyShipped()) {
      s.phase = 'invoicing';
      return;
    }
    const why = s.cancelRequest
      ? `cancelled by ${s.cancelRequest.requestedBy}: ${s.cancelRequest.reason}`
      : 'not fulfilled by the fulfillment deadline';
    if (!anyShipped()) {
      await close('cancelled', why);
      return;
    }
    log('remainder cancelled', why);
    s.phase = 'invoicing';
  }

  /** The invoice for the quantities shipped, issued now. */
  function invoiceRequest(shipped: Record<string, number>) {
    const issuedAt = now();
    return {
      orderId: v.orderId,
      customerId: v.customerId,
      currency: v.currency,
      series: input.policy.invoiceSeries,
      issuedAt,
      dueDate: dueDateFrom(issuedAt, input.paymentTermsDays),
      draft: draftInvoice(v.lines, shipped, input.taxRateBps),
    };
  }

  async function invoiceStage(): Promise<void> {
    // Issued with the last shipment, or now for what has shipped.
    v.invoice = invoicedWithShipment ?? (await local.issueInvoice(invoiceRequest(v.shippedQuantities)));
    synced = ''; // the activity wrote the read model itself
    log('invoice issued', `${v.invoice.invoiceNumber}: ${money(v.invoice.totalMinor)}, due ${v.invoice.dueDate}`);
    s.phase = 'collections';
    refresh();
  }

  async function collectionsStage(): Promise<void> {
    const dunningSteps = dunningSchedule(v.invoice!.dueDate, input.policy.dunning);
    const overdueAt = Date.parse(startOfDayIso(addDays(v.invoice!.dueDate, 1)));
    // Settled: nothing owed, no money movement under way, and no dispute left open (a
    // dispute is resolved by a person, never dropped because the invoice got paid).
    const paid = () => v.balanceMinor === 0 && moneyBusy === 0 && openDisputes().length === 0;
    const pausedByDispute = () =>
      openDisputes().some((d) => !d.resumeOn || Date.now() < Date.parse(startOfDayIso(d.resumeOn)));
    for (;;) {
      refresh();
      if (paid()) break;
      await continueAsNewIfSuggested();

      if (pausedByDispute()) {
        // No notice while a dispute is open, however long; the schedule moves by the pause.
        const resumeAt = Math.min(
          ...openDisputes().map((d) => (d.resumeOn ? Date.parse(startOfDayIso(d.resumeOn)) : Number.POSITIVE_INFINITY)),
        );
        setNext(Number.isFinite(resumeAt) ? { at: new Date(resumeAt).toISOString(), what: 'resume dunning for the undisputed part' } : null);
        const pausedAt = Date.now();
        const change = () => paid() || !pausedByDispute() || rollover();
        if (Number.isFinite(resumeAt)) await wf.condition(change, Math.max(0, resumeAt - Date.now()));
        else await wf.condition(change);
        s.pausedMs += Date.now() - pausedAt;
        continue;
      }

      const pending = nextDueStep(dunningSteps, new Set(s.dunningDone));
      if (!pending) {
        setNext(null);
        await wf.condition(() => paid() || pausedByDispute() || rollover());
        continue;
      }
      const step = shiftStep(pending, s.pausedMs);
      const stepAt = Date.parse(step.at);
      const wakeAt = Date.now() < overdueAt ? Math.min(stepAt, overdueAt) : stepAt;
      setNext({ at: step.at, what: describeStep(step) });
      if (Date.now() < wakeAt) {
        const paymentsSeen = v.payments.length;
        await wf.condition(
          () => paid() || pausedByDispute() || rollover() || v.payments.length !== paymentsSeen,
          wakeAt - Date.now(),
        );
        if (Date.now() < stepAt) {
          // The order may have just become overdue; a settled one is written as it closes.
          if (!(lean && paid())) await sync();
          continue;
        }
      }

      const result = await local.sendDunningNotice({
        orderId: v.orderId,
        customerId: v.customerId,
        invoiceNumber: v.invoice!.invoiceNumber,
        currency: v.currency,
        dueDate: v.invoice!.dueDate,
        step,
        openDisputedMinor: openDisputedMinor(),
        sentAt: now(),
      });
      s.dunningDone.push(step.key);
      if (step.kind === 'collections' && result.sent) s.inCollections = true;
      synced = ''; // the activity wrote the read model itself
      if (result.sent) {
        if (step.kind !== 'pre_due_reminder') v.dunningLevel = step.level;
        if (result.feeMinor > 0) v.fees.push({ level: step.level, amountMinor: result.feeMinor, chargedAt: now() });
        log(`${describeStep(step)} sent`, `quoting ${money(result.amountQuotedMinor)}`);
      } else {
        log(`${describeStep(step)} not sent`, 'nothing undisputed was open');
      }
      refresh();
      // The read model learns at once what the notice changed: the order became overdue, a
      // fee raised the balance. Orders begun before this wrote only the level here.
      if (wf.patched('sync-after-dunning-notice')) await sync();
    }
    // Paid: the order closes next, and its search attributes change then.
    setNext(null, !lean);
    s.phase = 'reconciling';
  }

  async function reconcileStage(): Promise<void> {
    for (;;) {
      v.status = 'reconciling';
      // Moments long when the books balance; a failure is published below.
      publish(!lean);
      const reason = closeReason();
      // Reconciled already with the payment that settled the order, unless the order changed
      // since (another payment came in meanwhile): then once more, from the books as they are.
      const ready = reconciledWithPayment;
      reconciledWithPayment = null;
      let proof: ReconciliationProof;
      let closing: { view: OrderView; syncsBefore: number } | undefined;
      if (ready && JSON.stringify(closedView('closed', reason, ready.at)) === JSON.stringify(ready.view)) {
        proof = ready.proof;
        closing = { view: ready.view, syncsBefore: ready.syncsBefore };
      } else {
        // Reconciliation keeps the final state with the read model as it closes the books.
        closing = lean ? { view: closedView('closed', reason), syncsBefore: syncCalls } : undefined;
        proof = await local.reconcileOrder({
          orderId: v.orderId,
          invoiceNumber: v.invoice!.invoiceNumber,
          writtenOff: v.writtenOffMinor > 0,
          ...(closing ? { finalView: closing.view } : {}),
        });
      }
      if (proof.balanced) {
        synced = '';
        await close('closed', reason, closing);
        return;
      }
      v.status = 'reconciliation_failed';
      v.closedReason = proof.explanation;
      log('reconciliation failed', proof.explanation);
      s.reconcileRequested = false;
      publish();
      await Promise.all([
        sync(),
        local.notify({
          ...notifyBase,
          step: `reconciliation-failed:${v.timeline.length}`,
          template: 'reconciliation_failed',
          channel: 'internal',
          to: 'finance',
          data: { orderId: v.orderId, explanation: proof.explanation },
        }),
      ]);
      await wf.condition(() => s.reconcileRequested);
      v.closedReason = null;
    }
  }

  // ---- main ------------------------------------------------------------------------------

  // A new order's status, customer and currency were set at its start.
  publish(!lean);
  if (s.phase === 'credit') await creditStage();
  if (s.phase === 'fulfillment') await fulfillmentStage();
  if (s.phase === 'invoicing') await invoiceStage();
  if (s.phase === 'collections') await collectionsStage();
  if (s.phase === 'reconciling') await reconcileStage();
  await wf.condition(wf.allHandlersFinished);
  await syncing;
  return { status: v.status, closedReason: v.closedReason };
}
