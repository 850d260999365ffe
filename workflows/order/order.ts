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
  OrderRefusal,
  OrderSearchAttributes,
  type OrderStatus,
  type OrderView,
  type PaymentInput,
  type ShipmentInput,
  type TimelineEntry,
} from './contract.js';
import { draftInvoice, dueDateFrom, startOfDayIso } from './rules/invoice.js';
import { type BooksBalance, dunnableMinor } from './rules/receivable.js';
import { collectionsStatus, isClosedStatus } from './rules/status.js';
import { endView, newOrderView, rowFigures } from './view.js';
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
  /** Finance asked to try again what stopped the order (a failed reconciliation, a step in `needs_attention`). */
  retryRequested: boolean;
  /**
   * The invoice's balance as the books last answered a step that moved money: the order's
   * balance is the books', never a sum of its own.
   */
  books: BooksBalance | null;
  /** The workflow's count of writes of the order's row; each write carries it, so none lands out of turn. */
  rowRevision: number;
  /** The hand-off to collections went out. */
  inCollections: boolean;
  /** A submitOrder update was answered: later ones are repeats of the same request. */
  submitted: boolean;
}

const retryPolicy = { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

/**
 * The order's own steps (its credit check, dunning, reconciliation, its row): short and
 * idempotent on our own database. Their cause is already in the history (the start, a timer, a
 * step before), so a workflow task lost with one runs it again with the same keys: they may
 * run as local activities.
 */
const ownActivities = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  // Past this a retry becomes a durable timer instead of an in-memory backoff.
  localRetryThreshold: '10 seconds',
  retry: retryPolicy,
});

/**
 * Steps a message asks for (a payment, a shipment, a dispute, a decision): regular activities,
 * scheduled by the workflow task that accepts the message, so none of them runs unless that
 * acceptance is durable. A local activity runs before it: lost with its workflow task, the
 * message would be gone while its money stayed in the books.
 */
const requestedActivities = wf.proxyActivities<Activities>({ startToCloseTimeout: '15 seconds', retry: retryPolicy });

export type OrderActivities = typeof ownActivities;

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
    retryRequested: false,
    books: null,
    rowRevision: 0,
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
  private savedRow = '';
  /**
   * Messages' steps done, and how many of them the stages had seen when they last settled into
   * a wait: a message answers once the stages have reacted to it (see `settled`).
   */
  private requestsApplied = 0;
  private requestsSeen = 0;
  private waiting = false;

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

  /** What a step that moved money says the books now hold: the order's balance follows it. */
  booksSay(books: BooksBalance): void {
    this.state.books = books;
    this.refigure();
  }

  /** The balance (the books'), what dunning may chase, the customer's credit and the status. */
  refigure(): void {
    const view = this.view;
    if (view.invoice) {
      const books = this.state.books ?? { balanceMinor: view.invoice.totalMinor, writtenOffMinor: 0 };
      view.balanceMinor = books.balanceMinor;
      view.writtenOffMinor = books.writtenOffMinor;
      view.dunnableMinor = dunnableMinor(view.balanceMinor, this.openDisputedMinor());
    }
    view.customerCreditMinor = view.payments.reduce((sum, payment) => sum + payment.unappliedMinor, 0);
    // Stopped for a person, the order keeps that status until it is retried.
    if (this.phase === 'collections' && view.attention === null) {
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

  /**
   * Runs one of the order's own steps, after every step before it is done. A step that can
   * never succeed stops the order in `needs_attention` until finance asks for a retry; then
   * it runs again from the start.
   */
  async step<T>(work: (activities: OrderActivities) => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await this.steps.runExclusive(() => work(ownActivities));
      } catch (err) {
        const reason = cannotSucceed(err);
        if (reason === undefined) throw err;
        await this.awaitRetry(reason);
      }
    }
  }

  /**
   * Runs the step a message asks for, after every step before it is done (see
   * `requestedActivities`). A step that can never succeed refuses the message with the
   * reason; the order goes on.
   */
  async requestedStep<T>(work: (activities: OrderActivities) => Promise<T>): Promise<T> {
    const result = await this.steps.runExclusive(() => work(requestedActivities));
    this.requestsApplied += 1;
    return result;
  }

  /**
   * Resolves once the stages have reacted to every message step done so far: they wait again
   * (with their next step set) or the order has ended. A message answers after it, so that
   * its answer is the order as it then stands.
   */
  settled(): Promise<void> {
    const applied = this.requestsApplied;
    return wf.condition(() => this.phase === 'done' || (this.waiting && this.requestsSeen >= applied));
  }

  /** The stages are about to wait: what they have seen of the messages' steps. */
  private idle(): void {
    this.requestsSeen = this.requestsApplied;
    this.waiting = true;
  }

  /**
   * Stopped by a step that cannot succeed: visible to finance (status, current details, row,
   * search attributes) until someone asks for a retry. Messages are still taken meanwhile.
   */
  private async awaitRetry(reason: string): Promise<void> {
    const { state, view } = this;
    const before = view.status;
    view.status = 'needs_attention';
    view.attention = { reason, since: now() };
    state.retryRequested = false;
    this.log(timeline.needsAttention(reason));
    while (!state.retryRequested) {
      await this.saveRow();
      this.publish();
      this.idle();
      await wf.condition(() => state.retryRequested || this.requestsApplied !== this.requestsSeen);
      this.waiting = false;
    }
    state.retryRequested = false;
    view.status = before;
    view.attention = null;
    this.describe();
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
      this.idle();
      const stop = () => changed() || rollover() || this.standing() !== standing || this.requestsApplied !== this.requestsSeen;
      if (left === undefined) await wf.condition(stop);
      else await wf.condition(stop, left);
      this.waiting = false;
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
   * Writes the order's row if it differs from what was last written, numbered so that no
   * write lands out of turn; a closed order's row keeps its final state. The row's only
   * writer, a step of its own: never call it from inside another step. A row that cannot be
   * written stays as it was (the order goes on; its view and search attributes are right).
   */
  async saveRow(): Promise<void> {
    await this.steps.runExclusive(async () => {
      const standing = this.standing();
      if (standing === this.savedRow) return;
      const figures = rowFigures(this.view);
      const closed = isClosedStatus(figures.status);
      this.state.rowRevision += 1;
      try {
        await ownActivities.syncOrder({
          orderId: this.view.orderId,
          revision: this.state.rowRevision,
          ...figures,
          closed,
          ...(closed ? { finalView: this.view } : {}),
        });
        this.savedRow = standing;
      } catch (err) {
        const reason = cannotSucceed(err);
        if (reason === undefined) throw err;
        wf.log.error('the order row cannot be written', { orderId: this.view.orderId, reason });
      }
    });
  }

  // ---- side effects every stage uses -----------------------------------------------------

  /** An entry for the audit trail, written once per workflow step however often it is sent. */
  auditEntry(step: string, actor: string, action: string, detail: Record<string, unknown> = {}, role: ActorRole = 'finance') {
    return {
      step: `audit:${step}`,
      actorKind: actor === 'system' ? ('system' as const) : role,
      actor,
      action,
      subjectType: 'order',
      subjectId: this.view.orderId,
      detail,
    };
  }

  /** Appends to the audit trail, as one of the order's own steps. */
  audit(step: string, actor: string, action: string, detail: Record<string, unknown> = {}, role: ActorRole = 'finance'): Promise<unknown> {
    return this.step((activities) => activities.recordAudit(this.auditEntry(step, actor, action, detail, role)));
  }

  /** Puts a notice in the outbox, once per workflow step. */
  notify(notice: Pick<Parameters<OrderActivities['notify']>[0], 'step' | 'template' | 'channel' | 'to' | 'data'>): Promise<unknown> {
    return this.step((activities) =>
      activities.notify({ ...notice, customerId: this.view.customerId, subjectType: 'order', subjectId: this.view.orderId }),
    );
  }

  // ---- ending ----------------------------------------------------------------------------

  /** Ends the order's story in the status it stays in, with why; its search attributes follow. */
  end(status: OrderStatus, reason: string, at = now()): void {
    endView(this.view, status, reason, at);
    this.state.phase = 'done';
    this.describe();
    this.publish();
  }

  /** Ends the order and writes its row with its final state. */
  async close(status: OrderStatus, reason: string): Promise<void> {
    this.end(status, reason);
    await this.saveRow();
  }
}

/** Why a step can never succeed, if that is how it failed (see `OrderRefusal.stepCannotSucceed`). */
function cannotSucceed(err: unknown): string | undefined {
  // A local activity's failure arrives as the activity raised it; a regular one's inside an ActivityFailure.
  for (let failure: unknown = err; failure instanceof wf.TemporalFailure; failure = failure.cause) {
    if (failure instanceof wf.ApplicationFailure && failure.type === OrderRefusal.stepCannotSucceed) return failure.message;
  }
  return undefined;
}
