// Receivable rules: the open balance, how a payment is applied, what dunning may chase, and
// the reconciliation proof that closes an order.
import { assertMinor } from './money.js';

export interface ReceivableTotals {
  invoiceTotalMinor: number;
  feesMinor: number;
  appliedPaymentsMinor: number;
  creditNotesMinor: number;
  writtenOffMinor: number;
}

/** What the books hold for an invoice after a movement of money: the order takes its figures from it. */
export interface BooksBalance {
  balanceMinor: number;
  writtenOffMinor: number;
}

/** The figures the order keeps of the books' totals. */
export function booksBalance(t: ReceivableTotals): BooksBalance {
  return { balanceMinor: balanceMinor(t), writtenOffMinor: t.writtenOffMinor };
}

/** Both sides of the receivable: what was charged, and what settled it. */
function sides(t: ReceivableTotals): { charged: number; settled: number } {
  assertMinor(t.invoiceTotalMinor, 'invoice total');
  assertMinor(t.feesMinor, 'fees');
  assertMinor(t.appliedPaymentsMinor, 'applied payments');
  assertMinor(t.creditNotesMinor, 'credit notes');
  assertMinor(t.writtenOffMinor, 'write-offs');
  const charged = t.invoiceTotalMinor + t.feesMinor;
  const settled = t.appliedPaymentsMinor + t.creditNotesMinor + t.writtenOffMinor;
  if (!Number.isSafeInteger(charged) || !Number.isSafeInteger(settled)) {
    throw new RangeError('receivable totals exceed the safe integer range');
  }
  return { charged, settled };
}

/**
 * Invoice + fees − applied payments − credit notes − write-offs. Never negative: payments are
 * applied only up to the balance (the rest is customer credit), so a negative balance means
 * a bug upstream, and it is refused rather than shown.
 */
export function balanceMinor(t: ReceivableTotals): number {
  const { charged, settled } = sides(t);
  if (settled > charged) {
    throw new RangeError(`receivable settled beyond what was charged: ${settled} against ${charged}`);
  }
  return charged - settled;
}

/** Apply a payment up to the open balance; anything beyond becomes unapplied customer credit. */
export function splitPayment(balanceMinor: number, amountMinor: number): { appliedMinor: number; unappliedMinor: number } {
  assertMinor(balanceMinor, 'balance');
  assertMinor(amountMinor, 'payment amount');
  const appliedMinor = Math.min(balanceMinor, amountMinor);
  return { appliedMinor, unappliedMinor: amountMinor - appliedMinor };
}

/** A payment of `amountMinor` leaves nothing of a positive balance open. */
export function settlesBalance(balanceMinor: number, amountMinor: number): boolean {
  assertMinor(balanceMinor, 'balance');
  assertMinor(amountMinor, 'payment amount');
  return balanceMinor > 0 && amountMinor >= balanceMinor;
}

/**
 * The credit note for an accepted dispute: the amount finance accepted (the whole disputed
 * amount unless it says otherwise), never more than is still owed, since the customer may
 * have paid meanwhile.
 */
export function creditNoteMinor(disputedMinor: number, acceptedMinor: number | undefined, balanceMinor: number): number {
  assertMinor(disputedMinor, 'disputed amount');
  assertMinor(balanceMinor, 'balance');
  if (acceptedMinor !== undefined) assertMinor(acceptedMinor, 'accepted amount');
  return Math.min(acceptedMinor ?? disputedMinor, balanceMinor);
}

/** What dunning may chase: the balance less amounts under open disputes, never below zero. */
export function dunnableMinor(balanceMinor: number, openDisputedMinor: number): number {
  assertMinor(balanceMinor, 'balance');
  assertMinor(openDisputedMinor, 'open disputed amount');
  return Math.max(0, balanceMinor - openDisputedMinor);
}

/** Proves invoice total + fees = applied payments + credit notes + write-offs, in one line. */
export function reconcile(t: ReceivableTotals): { balanced: boolean; differenceMinor: number; explanation: string } {
  const { charged, settled } = sides(t);
  const differenceMinor = charged - settled;
  const left = `invoice ${t.invoiceTotalMinor} + fees ${t.feesMinor} = ${charged}`;
  const right =
    `payments ${t.appliedPaymentsMinor} + credit notes ${t.creditNotesMinor} + write-offs ${t.writtenOffMinor} = ${settled}`;
  let explanation: string;
  if (differenceMinor === 0) {
    explanation = `Balanced: ${left} equals ${right}.`;
  } else if (differenceMinor > 0) {
    explanation = `Not balanced: ${left} but ${right}; ${differenceMinor} is still open.`;
  } else {
    explanation = `Not balanced: ${left} but ${right}; settled ${-differenceMinor} more than was charged.`;
  }
  return { balanced: differenceMinor === 0, differenceMinor, explanation };
}

export interface PaymentDetails {
  amountMinor: number;
  currency: string;
  method: string;
}

/**
 * A reference reported again is the same payment only with the same amount, currency and
 * method; with any other it is a different payment under a reference already taken.
 */
export function isSamePayment(first: PaymentDetails, again: PaymentDetails): boolean {
  return first.amountMinor === again.amountMinor && first.currency === again.currency && first.method === again.method;
}

/** The payment first recorded under a reference, and the order it was recorded for. */
export interface RecordedPayment extends PaymentDetails {
  orderId: string;
}

/** A payment as reported now; its reference is its identity across all orders. */
export interface ReportedPayment extends PaymentDetails {
  paymentReference: string;
}

/**
 * What a reported payment is, by its reference: new, the same payment again, a reference
 * another order holds, or a different payment under a reference this order holds. A refusal
 * comes in two wordings: `message` as the engine refuses (it names the other order, for the
 * books and operators) and `apiMessage` for the API's caller, which never names another
 * order (it may be another customer's).
 */
export type PaymentIdentity =
  | { kind: 'new' }
  | { kind: 'repeat' }
  | { kind: 'other-order'; message: string; apiMessage: string }
  | { kind: 'different-payment'; message: string; apiMessage: string };

/** The one place that decides a payment reference's identity; see PaymentIdentity. */
export function paymentIdentity(
  recorded: RecordedPayment | undefined,
  orderId: string,
  reported: ReportedPayment,
): PaymentIdentity {
  if (!recorded) return { kind: 'new' };
  const reference = reported.paymentReference;
  if (recorded.orderId !== orderId) {
    return {
      kind: 'other-order',
      message: `payment reference ${reference} was already recorded for order ${recorded.orderId}`,
      apiMessage: `Payment reference ${reference} was already applied to another order.`,
    };
  }
  if (isSamePayment(recorded, reported)) return { kind: 'repeat' };
  const firstUse = `already used for ${recorded.amountMinor} ${recorded.currency} by ${recorded.method}`;
  return {
    kind: 'different-payment',
    message: `payment reference ${reference} was ${firstUse}`,
    apiMessage: `Payment reference ${reference} was ${firstUse}.`,
  };
}
