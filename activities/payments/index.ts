import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../../db/client.js';
import { getReceivableTotals, lockInvoice } from '../../db/queries/billing.js';
import { getPayment, recordPayment } from '../../db/queries/payments.js';
import type { PaymentMethod } from '../../workflows/order/contract.js';
import { paymentEntry } from '../../workflows/order/rules/journal.js';
import { type BooksBalance, balanceMinor, booksBalance, paymentIdentity, splitPayment } from '../../workflows/order/rules/receivable.js';
import { post } from '../billing/index.js';

export interface ApplyPaymentInput {
  orderId: string;
  customerId: string;
  invoiceNumber: string;
  paymentReference: string;
  amountMinor: number;
  currency: string;
  method: PaymentMethod;
  receivedAt: string;
  reportedBy?: string | null;
}

/** Where the payment went, as the books hold it: against the invoice, and as customer credit. */
export interface AppliedPayment {
  /** False when the books already held this payment (a retry of the same step). */
  created: boolean;
  appliedMinor: number;
  unappliedMinor: number;
  /** The invoice's balance as the books hold it once the payment is in. */
  books: BooksBalance;
}

/**
 * Applies the payment against the balance the books hold, in one transaction with the invoice
 * row locked: up to the balance against the invoice, the rest as customer credit, then the
 * journal entry. The order takes its figures from the answer, so it never counts a payment
 * other than the books do; a retry answers with the split first recorded.
 */
async function applyOrderPayment(db: Database, input: ApplyPaymentInput): Promise<AppliedPayment> {
  return db.transaction(async (tx) => {
    await lockInvoice(tx, input.invoiceNumber);
    const recorded = await getPayment(tx, input.paymentReference);
    if (recorded) {
      // The reference is the payment's identity across all orders: a retry of this very step
      // finds its own row; another order's reference is refused. Another payment under this
      // order's own reference never gets here: the order's validator refused it first.
      const identity = paymentIdentity(recorded, input.orderId, input);
      if (identity.kind === 'other-order') throw ApplicationFailure.nonRetryable(identity.message, 'PaymentReferenceInUse');
      const appliedMinor = recorded.applications.reduce((sum, application) => sum + application.appliedMinor, 0);
      const books = booksBalance(await getReceivableTotals(tx, input.invoiceNumber));
      return { created: false, appliedMinor, unappliedMinor: recorded.credit?.amountMinor ?? 0, books };
    }
    const split = splitPayment(balanceMinor(await getReceivableTotals(tx, input.invoiceNumber)), input.amountMinor);
    await recordPayment(tx, { ...input, receivedAt: new Date(input.receivedAt), ...split });
    await post(tx, `payment:${input.paymentReference}`, paymentEntry(split.appliedMinor, split.unappliedMinor), {
      orderId: input.orderId,
      invoiceNumber: input.invoiceNumber,
      currency: input.currency,
      postedAt: new Date(input.receivedAt),
    });
    return { created: true, ...split, books: booksBalance(await getReceivableTotals(tx, input.invoiceNumber)) };
  });
}

export function createPaymentActivities(deps: { db: Database }) {
  return {
    applyPayment: (input: ApplyPaymentInput): Promise<AppliedPayment> => applyOrderPayment(deps.db, input),
  };
}
