// The order's state in one place, with what every stage and handler needs to work on it: a
// step (one side effect at a time, under one mutex), a wait (for a change, a deadline or a
// rollover), the figures, timeline entries, the row and search attributes, and its end.
// Stages and handlers change the order's state inside steps, through these methods and
// their own named functions.
import * as wf from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { Activities } from '../../activities/index.js';
import {
  type ActorRole,
  type CancelInput,
  type CreditDecisionInput,
  type DisputeState,
  type InvoiceState,
  type NextStep,
  type OrderInput,
  OrderSearchAttributes,
  type OrderStatus,
  type OrderView,
  type PaymentInput,
  type ShipmentInput,
  type TimelineEntry,
} from './contract.js';
import { draftInvoice, dueDateFrom, startOfDayIso } from './rules/invoice.js';
import { balanceMinor, dunnableMinor } from './rules/receivable.js';
import { collectionsStatus, isClosedStatus } from './rules/status.js';
import { NEW_ORDER_ROW, type OrderRowFigures, endView, newOrderView, rowFigures } from './view.js';
import { type Note, currentDetails, timeline } from './wording.js';

/** Where the order is in its story; each stage runs while the order is in its phase. */
export type Phase = 'credit' | 'fulfillment' | 'invoicing' | 'collections' | 'reconciling' | 'done';

/** Everything the order knows; carried whole across continue-as-new. */
export interface OrderState {
  view: OrderView;
  phase: Phase;
  heldAt: string | null;
  fulfillmentDeadlineAt: string | null;
  creditDecision: CreditDecisionInput | null;
  cancelRequest: CancelInput | null;
  /** Keys of the dunning steps already taken. */
  dunningDone: string[];
  /** Total time dunning stood still for open disputes; later steps move by as much. */
  pausedMs: number;
  /** When the pause under way began; counted into `pausedMs` when it ends, in this run or a later one. */
  pausedSince: string | null;
  reconcileRequested: boolean;
  /** The hand-off to collections went out. */
  inCollections: boolean;
  /** A submitOrder update was answered: later ones are repeats of the same request. */
  submitted: boolean;
}

/** Side effects on our own database, short and idempotent: local activities. */
const activities = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  // Past this a retry becomes a durable timer instead of an in-memory backoff.
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
export type OrderActivities = typeof activities;

/** The workflow's clock as an ISO instant. */
export const now = (): string => new Date(Date.now()).toISOString();

function newState(input: OrderInput): OrderState {
  return {
    phase: 'credit',
    heldAt: null,
    fulfillmentDeadlineAt: null,
    creditDecision: null,
    cancelRequest: null,
    dunningDone: [],
    pausedMs: 0,
    pausedSince: null,
    reconcileRequested: false,
    inCollections: false,
    submitted: false,
    view: newOrderView(input, now()),
  };
}

export class Order {
  readonly input: OrderInput;
  readonly state: OrderState;
  /** Requests accepted and not yet applied, so that validators also see what is on its way. */
  readonly inFlight = {
    shipments: new Map<string, ShipmentInput['lines']>(),
    payments: new Map<string, PaymentInput>(),
    disputes: new Map<string, number>(),
    writeOff: false,
  };
  /**
   * One step at a time. Money moves from the balance the step before left; and on replay a
   * local activity resolves from its marker in the activation after it was scheduled, so two
   * in flight at once would resolve together where the original run saw them one by one.
   * The activities are handed to a step only, so none can run outside one.
   */
  private readonly steps = new Mutex();
  /** The search attributes as last published, and the row as last written, to skip repeats. */
  private publishedAttributes = '';
  private savedRow: OrderRowFigures | null = null;

  constructor(input: OrderInput, carried?: OrderState) {
    this.input = input;
    this.state = carried ?? newState(input);
  }

  get view(): OrderView {
    return this.state.view;
  }

  get phase(): Phase {
    return this.state.phase;
  }

  /** The next stage takes over, and the status it starts in, if it sets one. */
  moveTo(phase: Phase, status?: OrderStatus): void {
    this.state.phase = phase;
    if (status) this.view.status = status;
    this.describe();
  }

  // ---- figures ---------------------------------------------------------------------------

  openDisputes(): DisputeState[] {
    return this.view.disputes.filter((dispute) => dispute.status === 'open');
  }

  openDisputedMinor(): number {
    return this.openDisputes().reduce((sum, dispute) => sum + dispute.amountMinor, 0);
  }

  fullyShipped(): boolean {
    return this.view.lines.every((line) => (this.view.shippedQuantities[line.lineId] ?? 0) >= line.quantity);
  }

  /** Nothing left to pay or dispute. */
  nothingOwed(): boolean {
    return this.view.balanceMinor === 0 && this.openDisputes().length === 0 && this.inFlight.disputes.size === 0;
  }

  /** Nothing owed and nothing under way that could change that: the order may close. */
  readyToClose(): boolean {
    return (
      this.phase === 'collections' &&
      this.nothingOwed() &&
      this.inFlight.payments.size === 0 &&
      !this.inFlight.writeOff &&
      !this.steps.isLocked()
    );
  }

  /** The balance, what dunning may chase, the customer's credit and the status, from the entries. */
  refigure(): void {
    const view = this.view;
    if (view.invoice) {
      view.balanceMinor = balanceMinor({
        invoiceTotalMinor: view.invoice.totalMinor,
        feesMinor: view.fees.reduce((sum, fee) => sum + fee.amountMinor, 0),
        appliedPaymentsMinor: view.payments.reduce((sum, payment) => sum + payment.appliedMinor, 0),
        creditNotesMinor: view.creditNotes.reduce((sum, note) => sum + note.amountMinor, 0),
        writtenOffMinor: view.writtenOffMinor,
      });
      view.dunnableMinor = dunnableMinor(view.balanceMinor, this.openDisputedMinor());
    }
    view.customerCreditMinor = view.payments.reduce((sum, payment) => sum + payment.unappliedMinor, 0);
    if (this.phase === 'collections') {
      view.status = collectionsStatus({
        inCollections: this.state.inCollections,
        openDisputes: this.openDisputes().length,
        dueDate: view.invoice!.dueDate,
        now: Date.now(),
      });
    }
    this.describe();
  }

  // ---- invoice ---------------------------------------------------------------------------

  /** The invoice for the quantities shipped, issued now. */
  invoiceRequest(shipped: Record<string, number>) {
    const { input, view } = this;
    const issuedAt = now();
    return {
      orderId: view.orderId,
      customerId: view.customerId,
      currency: view.currency,
      series: input.policy.invoiceSeries,
      issuedAt,
      dueDate: dueDateFrom(issuedAt, input.paymentTermsDays),
      draft: draftInvoice(view.lines, shipped, input.taxRateBps),
    };
  }

  recordInvoice(invoice: InvoiceState): void {
    this.view.invoice = invoice;
    this.log(timeline.invoiceIssued(invoice, this.view.currency));
  }

  // ---- steps and waits -------------------------------------------------------------------

  /** Runs one step that has side effects, after every step before it is done. */
  step<T>(work: (activities: OrderActivities) => Promise<T>): Promise<T> {
    return this.steps.runExclusive(() => work(activities));
  }

  /**
   * Waits until `changed()` holds or the clock reaches `until` (ms since the epoch). Where the
   * order waits, the world learns where it stands, also when a message changes it meanwhile:
   * its search attributes and its row. When the server suggests it and no message is being
   * handled, the order continues as new here with all its state; the new run takes up the
   * same stage.
   */
  async waitFor(changed: () => boolean, until?: number): Promise<void> {
    const rollover = () => wf.workflowInfo().continueAsNewSuggested && wf.allHandlersFinished() && !this.steps.isLocked();
    for (;;) {
      if (changed()) return;
      await this.saveRow();
      this.publish();
      // Saving may have taken a while: a deadline that passed meanwhile is due now, not in 0 ms.
      const left = until === undefined ? undefined : until - Date.now();
      if (left !== undefined && left <= 0) return;
      const standing = this.standing();
      const stop = () => changed() || rollover() || this.standing() !== standing;
      if (left === undefined) await wf.condition(stop);
      else await wf.condition(stop, left);
      if (rollover() && !changed()) break;
    }
    this.log(timeline.rolledOver());
    await wf.continueAsNew<(input: OrderInput, carried?: OrderState) => Promise<unknown>>(this.input, this.state);
  }

  // ---- telling people --------------------------------------------------------------------

  log(entry: Note, at = now()): void {
    this.view.timeline.push({ at, ...entry } satisfies TimelineEntry);
    this.describe();
  }

  setNext(next: NextStep | null): void {
    this.view.nextStep = next;
    this.describe();
  }

  /** Temporal UI's current details: what the order is waiting for. */
  describe(): void {
    wf.setCurrentDetails(currentDetails(this.view));
  }

  /** What the row and the search attributes show, as one comparable value. */
  private standing(): string {
    return JSON.stringify(rowFigures(this.view));
  }

  /** Upserts the search attributes if what they show changed since they were last published. */
  publish(): void {
    const key = this.standing();
    if (key === this.publishedAttributes) return;
    this.publishedAttributes = key;
    const figures = rowFigures(this.view);
    wf.upsertSearchAttributes([
      { key: OrderSearchAttributes.status, value: figures.status },
      { key: OrderSearchAttributes.customerId, value: this.view.customerId },
      { key: OrderSearchAttributes.currency, value: this.view.currency },
      { key: OrderSearchAttributes.amountDue, value: figures.amountDueMinor },
      { key: OrderSearchAttributes.dunningLevel, value: figures.dunningLevel },
      { key: OrderSearchAttributes.invoiceNumber, value: figures.invoiceNumber },
      { key: OrderSearchAttributes.dueDate, value: figures.dueDate ? new Date(startOfDayIso(figures.dueDate)) : null },
    ]);
  }

  /**
   * Writes the order's row if it differs from what was last written; a closed order's keeps
   * its final state. A step of its own: never call it from inside another step.
   */
  async saveRow(): Promise<void> {
    await this.step(async (activities) => {
      if (this.standing() === JSON.stringify(this.savedRow)) return;
      const figures = rowFigures(this.view);
      const closed = isClosedStatus(figures.status);
      await activities.syncOrder({ orderId: this.view.orderId, ...figures, closed, ...(closed ? { finalView: this.view } : {}) });
      this.savedRow = figures;
    });
  }

  /**
   * An activity of the step under way wrote these figures to the order's row itself (see
   * view.ts): the row now holds them, whatever the view says. Call it inside that step.
   */
  rowWritten(figures: Partial<OrderRowFigures>): void {
    this.savedRow = { ...(this.savedRow ?? NEW_ORDER_ROW), ...figures };
  }

  // ---- side effects every stage uses -----------------------------------------------------

  /** Appends to the audit trail, once per workflow step however often it runs. */
  audit(step: string, actor: string, action: string, detail: Record<string, unknown> = {}, role: ActorRole = 'finance'): Promise<unknown> {
    return this.step((activities) =>
      activities.recordAudit({
        step: `audit:${step}`,
        actorKind: actor === 'system' ? 'system' : role,
        actor,
        action,
        subjectType: 'order',
        subjectId: this.view.orderId,
        detail,
      }),
    );
  }

  /** Puts a notice in the outbox, once per workflow step. */
  notify(notice: Pick<Parameters<OrderActivities['notify']>[0], 'step' | 'template' | 'channel' | 'to' | 'data'>): Promise<unknown> {
    return this.step((activities) =>
      activities.notify({ ...notice, customerId: this.view.customerId, subjectType: 'order', subjectId: this.view.orderId }),
    );
  }

  // ---- ending ----------------------------------------------------------------------------

  /** The view as it will stand once ended this way at `at`, for an activity that stores it. */
  endedView(status: OrderStatus, reason: string, at: string): OrderView {
    return endView(JSON.parse(JSON.stringify(this.view)) as OrderView, status, reason, at);
  }

  /** Ends the order's story in the status it stays in, with why; its search attributes follow. */
  end(status: OrderStatus, reason: string, at = now()): void {
    endView(this.view, status, reason, at);
    this.state.phase = 'done';
    this.describe();
    this.publish();
  }

  /** Ends the order (cancelled, rejected) and writes its row with its final state. */
  async close(status: OrderStatus, reason: string): Promise<void> {
    this.end(status, reason);
    await this.saveRow();
  }
}
