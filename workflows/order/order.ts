// The order's state in one place, and the few ways the workflow may change it: a step (one
// side effect at a time, under one mutex), a wait (for a change, a deadline or a rollover),
// a timeline entry, and closing. Stages and handlers read and change the order only here.
import * as wf from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { Activities } from '../../activities/index.js';
import {
  type ActorRole,
  type CancelInput,
  type CreditDecisionInput,
  type DisputeState,
  type NextStep,
  type OrderInput,
  OrderSearchAttributes,
  type OrderStatus,
  type OrderView,
  type PaymentInput,
  type ShipmentInput,
  type TimelineEntry,
} from './contract.js';
import { startOfDayIso } from './rules/invoice.js';
import { balanceMinor, dunnableMinor } from './rules/receivable.js';
import { collectionsStatus, isClosedStatus } from './rules/status.js';
import { endView, newOrderView } from './view.js';
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
  readonly activities = activities;
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
   */
  private readonly steps = new Mutex();
  /** The search attributes and the row as last published and saved, to skip repeats. */
  private publishedAttributes = '';
  private savedRow = '';

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

  /** Nothing owed, no dispute open or on its way, nothing being applied: the order can close. */
  settled(): boolean {
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

  // ---- steps and waits -------------------------------------------------------------------

  /** Runs one step that has side effects, after every step before it is done. */
  step<T>(work: () => Promise<T>): Promise<T> {
    return this.steps.runExclusive(work);
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
      if (changed() || (until !== undefined && Date.now() >= until)) return;
      await this.saveRow();
      this.publish();
      const standing = this.standing();
      const stop = () => changed() || rollover() || this.standing() !== standing;
      if (until === undefined) await wf.condition(stop);
      else await wf.condition(stop, until - Date.now());
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

  /** What operators filter on, and what the row behind GET /orders keeps: one derivation for both. */
  private snapshot() {
    const view = this.view;
    return {
      status: view.status,
      amountDueMinor: view.balanceMinor,
      dunningLevel: view.dunningLevel,
      invoiceNumber: view.invoice?.invoiceNumber ?? null,
      dueDate: view.invoice?.dueDate ?? null,
    };
  }

  /** Upserts the search attributes that changed since they were last published. */
  publish(): void {
    const attributes = this.snapshot();
    const key = JSON.stringify(attributes);
    if (key === this.publishedAttributes) return;
    this.publishedAttributes = key;
    wf.upsertSearchAttributes([
      { key: OrderSearchAttributes.status, value: attributes.status },
      { key: OrderSearchAttributes.customerId, value: this.view.customerId },
      { key: OrderSearchAttributes.currency, value: this.view.currency },
      { key: OrderSearchAttributes.amountDue, value: attributes.amountDueMinor },
      { key: OrderSearchAttributes.dunningLevel, value: attributes.dunningLevel },
      { key: OrderSearchAttributes.invoiceNumber, value: attributes.invoiceNumber },
      { key: OrderSearchAttributes.dueDate, value: attributes.dueDate ? new Date(startOfDayIso(attributes.dueDate)) : null },
    ]);
  }

  /** What the row and the search attributes show, as one comparable value. */
  private standing(): string {
    return JSON.stringify(this.row());
  }

  private row() {
    return { ...this.snapshot(), closed: isClosedStatus(this.view.status) };
  }

  /**
   * Writes the order's row if it changed since it was last saved; a closed order's keeps its
   * final state. A step of its own: never call it from inside another step.
   */
  async saveRow(): Promise<void> {
    await this.step(async () => {
      const row = this.row();
      const key = this.standing();
      if (key === this.savedRow) return;
      await this.activities.syncOrder({ orderId: this.view.orderId, ...row, ...(row.closed ? { finalView: this.view } : {}) });
      this.savedRow = key;
    });
  }

  /** The step's activity wrote the order's row as the order now stands, in the same transaction. */
  rowSaved(): void {
    this.savedRow = this.standing();
  }

  // ---- side effects every stage uses -----------------------------------------------------

  /** Appends to the audit trail, once per workflow step however often it runs. */
  audit(step: string, actor: string, action: string, detail: Record<string, unknown> = {}, role: ActorRole = 'finance'): Promise<unknown> {
    return this.step(() =>
      this.activities.recordAudit({
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
    return this.step(() =>
      this.activities.notify({ ...notice, customerId: this.view.customerId, subjectType: 'order', subjectId: this.view.orderId }),
    );
  }

  // ---- ending ----------------------------------------------------------------------------

  /** The view as it will stand once ended this way at `at`, for an activity that stores it. */
  endedView(status: OrderStatus, reason: string, at: string): OrderView {
    return endView(JSON.parse(JSON.stringify(this.view)) as OrderView, status, reason, at);
  }

  /** Ends the order's story: the status it stays in and why. Its row and attributes follow. */
  end(status: OrderStatus, reason: string, at = now()): void {
    endView(this.view, status, reason, at);
    this.state.phase = 'done';
    this.describe();
    this.publish();
  }

  /** Ends the order (cancelled, rejected) and saves its row with its final state. */
  async close(status: OrderStatus, reason: string): Promise<void> {
    this.end(status, reason);
    await this.saveRow();
  }
}
