import { asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { customerCredits, paymentApplications, payments } from '../schema/payments.js';

export type PaymentRow = typeof payments.$inferSelect;
export type PaymentApplicationRow = typeof paymentApplications.$inferSelect;
export type CustomerCreditRow = typeof customerCredits.$inferSelect;
export type PaymentMethod = (typeof payments.$inferInsert)['method'];

export interface NewPayment {
  paymentReference: string;
  customerId: string;
  orderId: string;
  invoiceNumber: string | null;
  amountMinor: number;
  currency: string;
  method: PaymentMethod;
  receivedAt: Date;
  appliedMinor: number;
  unappliedMinor: number;
  reportedBy?: string | null;
}

/**
 * Records a payment with where it went, once per payment reference: the applied part
 * against the invoice, the rest as customer credit, all in one transaction. The same
 * reference reported again writes nothing. Refuses, before writing, a split that does not
 * add up to the payment or an applied part with no invoice to apply it to.
 */
export async function recordPayment(db: Db, p: NewPayment): Promise<{ created: boolean }> {
  const isPart = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!isPart(p.appliedMinor) || !isPart(p.unappliedMinor)) {
    throw new RangeError(`payment ${p.paymentReference}: applied and unapplied parts must be non-negative integers`);
  }
  if (p.appliedMinor + p.unappliedMinor !== p.amountMinor) {
    throw new RangeError(
      `payment ${p.paymentReference}: applied ${p.appliedMinor} + unapplied ${p.unappliedMinor}` +
        ` is not the amount ${p.amountMinor}`,
    );
  }
  if (p.appliedMinor > 0 && p.invoiceNumber === null) {
    throw new RangeError(`payment ${p.paymentReference}: ${p.appliedMinor} applied but no invoice given`);
  }
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(payments)
      .values({
        paymentReference: p.paymentReference,
        customerId: p.customerId,
        orderId: p.orderId,
        amountMinor: p.amountMinor,
        currency: p.currency,
        method: p.method,
        receivedAt: p.receivedAt,
        reportedBy: p.reportedBy ?? null,
      })
      .onConflictDoNothing({ target: payments.paymentReference })
      .returning({ paymentReference: payments.paymentReference });
    if (inserted.length === 0) return { created: false };
    if (p.appliedMinor > 0 && p.invoiceNumber !== null) {
      // Applied as of the day the cash arrived, so as-of-date balances and aging see it then.
      await tx.insert(paymentApplications).values({
        paymentReference: p.paymentReference,
        invoiceNumber: p.invoiceNumber,
        appliedMinor: p.appliedMinor,
        appliedAt: p.receivedAt,
      });
    }
    if (p.unappliedMinor > 0) {
      await tx.insert(customerCredits).values({
        paymentReference: p.paymentReference,
        customerId: p.customerId,
        currency: p.currency,
        amountMinor: p.unappliedMinor,
      });
    }
    return { created: true };
  });
}

export async function getPayment(
  db: Db,
  paymentReference: string,
): Promise<(PaymentRow & { applications: PaymentApplicationRow[]; credit: CustomerCreditRow | null }) | undefined> {
  const [payment] = await db.select().from(payments).where(eq(payments.paymentReference, paymentReference));
  if (!payment) return undefined;
  const applications = await db
    .select()
    .from(paymentApplications)
    .where(eq(paymentApplications.paymentReference, paymentReference))
    .orderBy(asc(paymentApplications.invoiceNumber));
  const [credit] = await db.select().from(customerCredits).where(eq(customerCredits.paymentReference, paymentReference));
  return { ...payment, applications, credit: credit ?? null };
}
