import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../../db/client.js';
import { getPayment, recordPayment } from '../../db/queries/payments.js';
import type { PaymentMethod } from '../../workflows/order/contract.js';
import { paymentEntry } from '../../workflows/order/rules/journal.js';
import { paymentIdentity } from '../../workflows/order/rules/receivable.js';
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
  appliedMinor: number;
  unappliedMinor: number;
  reportedBy?: string | null;
}

/** The payment, its application and any excess as customer credit, then the journal entry. */
async function applyOrderPayment(db: Database, input: ApplyPaymentInput): Promise<{ created: boolean }> {
  const result = await recordPayment(db, { ...input, receivedAt: new Date(input.receivedAt) });
  if (!result.created) {
    // The reference is the payment's identity across all orders: a retry of this very
    // step finds its own row; another order's reference is refused. Another payment under
    // this order's own reference never gets here: the order's validator refused it first.
    const identity = paymentIdentity(await getPayment(db, input.paymentReference), input.orderId, input);
    if (identity.kind === 'other-order') throw ApplicationFailure.nonRetryable(identity.message, 'PaymentReferenceInUse');
  }
  await post(db, `payment:${input.paymentReference}`, paymentEntry(input.appliedMinor, input.unappliedMinor), {
    orderId: input.orderId,
    invoiceNumber: input.invoiceNumber,
    currency: input.currency,
    postedAt: new Date(input.receivedAt),
  });
  return result;
}

export function createPaymentActivities(deps: { db: Database }) {
  return {
    applyPayment: (input: ApplyPaymentInput): Promise<{ created: boolean }> => applyOrderPayment(deps.db, input),
  };
}
