import { asc, eq, sql } from 'drizzle-orm';
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
  // One statement, atomic on its own: the payment once per reference, and its parts only with it.
  const payment = db.$with('new_payment').as(
    db
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
      .returning({ paymentReference: payments.paymentReference }),
  );
  const parts = [];
  if (p.appliedMinor > 0 && p.invoiceNumber !== null) {
    // Applied as of the day the cash arrived, so as-of-date balances and aging see it then.
    parts.push(
      db.$with('applied').as(
        db
          .insert(paymentApplications)
          .select(
            sql`select ${payment.paymentReference}, ${p.invoiceNumber}::text, ${p.appliedMinor}::bigint, ${p.receivedAt.toISOString()}::timestamptz from ${payment}`,
          )
          .returning({ paymentReference: paymentApplications.paymentReference }),
      ),
    );
  }
  if (p.unappliedMinor > 0) {
    parts.push(
      db.$with('unapplied').as(
        db
          .insert(customerCredits)
          .select(
            sql`select ${payment.paymentReference}, ${p.customerId}::text, ${p.currency}::char(3), ${p.unappliedMinor}::bigint, now() from ${payment}`,
          )
          .returning({ paymentReference: customerCredits.paymentReference }),
      ),
    );
  }
  const inserted = await db
    .with(payment, ...parts)
    .select({ paymentReference: payment.paymentReference })
    .from(payment);
  return { created: inserted.length > 0 };
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
