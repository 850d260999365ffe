import type { Database } from '../../db/client.js';
import { recordPayment } from '../../db/queries/payments.js';
import type { PaymentMethod } from '../../workflows/order/contract.js';
import { paymentEntry } from '../../workflows/order/rules/journal.js';
import { post } from '../billing/index.js';

export function createPaymentActivities(deps: { db: Database }) {
  return {
    /** The payment, its application and any excess as customer credit, then the journal entry. */
    async applyPayment(input: {
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
    }): Promise<{ created: boolean }> {
      const result = await recordPayment(deps.db, { ...input, receivedAt: new Date(input.receivedAt) });
      await post(deps.db, `payment:${input.paymentReference}`, paymentEntry(input.appliedMinor, input.unappliedMinor), {
        orderId: input.orderId,
        invoiceNumber: input.invoiceNumber,
        currency: input.currency,
        postedAt: new Date(input.receivedAt),
      });
      return result;
    },
  };
}
