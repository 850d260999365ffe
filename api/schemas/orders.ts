import { z } from 'zod';
import { orderStatus as orderStatusEnum } from '../../db/schema/orders.js';
import { paymentMethod as paymentMethodEnum } from '../../db/schema/payments.js';
import type { OrderView, PaymentResult } from '../../workflows/order/contract.js';
import { ORDER_POLICIES } from '../../workflows/order/rules/policy.js';
import { currency, identifier, isoDate, isoTime, minorUnits, positiveMinorUnits, text } from './common.js';

// The database's enums are the one list of each (checked there against the contract's types).
export const orderStatus = z.enum(orderStatusEnum.enumValues);
const paymentMethod = z.enum(paymentMethodEnum.enumValues);

const quantity = z.int('must be a whole number').min(1, 'must be at least 1').max(1_000_000);

/** Far above any real order, and far enough below 2^53 that totals and tax stay exact. */
export const MAX_ORDER_SUBTOTAL_MINOR = 10_000_000_000_000;

export const createOrderBody = z
  .strictObject({
    orderId: identifier,
    customerId: identifier,
    currency,
    lines: z
      .array(
        z.strictObject({
          lineId: identifier,
          sku: text(100),
          description: text(500),
          quantity,
          unitPriceMinor: minorUnits.max(MAX_ORDER_SUBTOTAL_MINOR),
        }),
      )
      .min(1, 'an order needs at least one line')
      .max(500)
      .refine((lines) => new Set(lines.map((l) => l.lineId)).size === lines.length, 'line IDs must be unique')
      .refine(
        (lines) => lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0) <= MAX_ORDER_SUBTOTAL_MINOR,
        `the order's subtotal must not exceed ${MAX_ORDER_SUBTOTAL_MINOR} minor units`,
      ),
    /** Basis points: 2000 = 20%. */
    taxRateBps: z.int().min(0).max(10_000).default(0),
    /** Defaults to the customer's terms. */
    paymentTermsDays: z.int().min(0).max(365).optional(),
    policy: z.enum(Object.keys(ORDER_POLICIES) as [keyof typeof ORDER_POLICIES]).default('standard'),
  })
  .meta({ id: 'CreateOrder' });
export type CreateOrderBody = z.infer<typeof createOrderBody>;

export const shipmentBody = z
  .strictObject({
    shipmentId: identifier,
    lines: z.array(z.strictObject({ lineId: identifier, quantity })).min(1).max(500),
    shippedAt: isoTime.optional(),
  })
  .meta({ id: 'Shipment' });

export const paymentBody = z
  .strictObject({
    paymentReference: identifier,
    amountMinor: positiveMinorUnits,
    currency,
    method: paymentMethod,
    /** When the money arrived; defaults to now. */
    receivedAt: isoTime.optional(),
  })
  .meta({ id: 'Payment' });

export const creditDecisionBody = z
  .strictObject({ decision: z.enum(['approve', 'reject']), comment: text(1000).optional() })
  .meta({ id: 'CreditDecision' });

export const disputeBody = z
  .strictObject({
    disputeId: identifier,
    amountMinor: positiveMinorUnits,
    reason: text(1000),
    /** Dunning of the undisputed part may resume on this date while the dispute is open. */
    resumeOn: isoDate.optional(),
  })
  .meta({ id: 'Dispute' });

export const disputeParams = z.strictObject({ orderId: identifier, disputeId: identifier });

export const resolutionBody = z
  .strictObject({
    outcome: z.enum(['accepted', 'rejected']),
    /** Accepted in part: the amount to credit. Defaults to the whole disputed amount. */
    acceptedMinor: positiveMinorUnits.optional(),
    comment: text(1000).optional(),
  })
  .meta({ id: 'DisputeResolution' });

export const cancelBody = z.strictObject({ reason: text(1000) }).meta({ id: 'Cancellation' });
export const writeOffBody = z.strictObject({ reason: text(1000) }).meta({ id: 'WriteOff' });

// Query strings are text: digits only, so an empty `?dunningLevel=` is refused, not read as 0.
const wholeNumber = z.string().regex(/^\d{1,6}$/, 'must be a whole number').transform(Number);

export const listOrdersQuery = z.strictObject({
  status: orderStatus.optional(),
  customerId: identifier.optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  dunningLevel: wholeNumber.pipe(z.int().min(0).max(100)).optional(),
  limit: wholeNumber.pipe(z.int().min(1).max(100)).default(25),
  /** From the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
});

const orderLine = z.object({
  lineId: z.string(),
  sku: z.string(),
  description: z.string(),
  quantity: z.number(),
  unitPriceMinor: z.number(),
});

export const orderView = z
  .object({
    orderId: z.string(),
    customerId: z.string(),
    currency: z.string(),
    status: orderStatus,
    lines: z.array(orderLine),
    shippedQuantities: z.record(z.string(), z.number()),
    credit: z.object({
      outcome: z.enum(['approved', 'rejected', 'held']).nullable(),
      decidedBy: z.string().nullable(),
      comment: z.string().nullable(),
      reasons: z.array(z.string()),
      exposureMinor: z.number().nullable(),
      limitMinor: z.number().nullable(),
      decidedAt: z.string().nullable(),
      escalationLevel: z.number(),
    }),
    shipments: z.array(
      z.object({
        shipmentId: z.string(),
        lines: z.array(z.object({ lineId: z.string(), quantity: z.number() })),
        shippedAt: z.string(),
      }),
    ),
    invoice: z
      .object({
        invoiceNumber: z.string(),
        issuedAt: z.string(),
        dueDate: z.string(),
        lines: z.array(
          z.object({
            lineId: z.string(),
            description: z.string(),
            quantity: z.number(),
            unitPriceMinor: z.number(),
            amountMinor: z.number(),
          }),
        ),
        subtotalMinor: z.number(),
        taxMinor: z.number(),
        totalMinor: z.number(),
      })
      .nullable(),
    fees: z.array(z.object({ level: z.number(), amountMinor: z.number(), chargedAt: z.string() })),
    payments: z.array(
      z.object({
        paymentReference: z.string(),
        amountMinor: z.number(),
        method: paymentMethod,
        receivedAt: z.string(),
        appliedMinor: z.number(),
        unappliedMinor: z.number(),
      }),
    ),
    creditNotes: z.array(
      z.object({ creditNoteId: z.string(), amountMinor: z.number(), reason: z.string(), issuedAt: z.string() }),
    ),
    disputes: z.array(
      z.object({
        disputeId: z.string(),
        amountMinor: z.number(),
        reason: z.string(),
        openedBy: z.string(),
        openedAt: z.string(),
        resumeOn: z.string().nullable(),
        status: z.enum(['open', 'accepted', 'rejected']),
        acceptedMinor: z.number(),
        resolvedBy: z.string().nullable(),
        resolvedAt: z.string().nullable(),
        comment: z.string().nullable(),
      }),
    ),
    writtenOffMinor: z.number(),
    balanceMinor: z.number(),
    dunnableMinor: z.number(),
    customerCreditMinor: z.number(),
    dunningLevel: z.number(),
    nextStep: z.object({ at: z.string(), what: z.string() }).nullable(),
    closedReason: z.string().nullable(),
    timeline: z.array(z.object({ at: z.string(), event: z.string(), detail: z.string().optional() })),
  })
  .meta({ id: 'Order' });

export const paymentResult = z
  .object({
    duplicate: z.boolean(),
    balanceMinor: z.number(),
    customerCreditMinor: z.number(),
    order: orderView,
  })
  .meta({ id: 'PaymentResult' });

export const orderSummary = z
  .object({
    orderId: z.string(),
    customerId: z.string(),
    currency: z.string(),
    status: orderStatus,
    totalMinor: z.number(),
    amountDueMinor: z.number(),
    dunningLevel: z.number(),
    invoiceNumber: z.string().nullable(),
    dueDate: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: 'OrderSummary' });

export const orderPage = z
  .object({ items: z.array(orderSummary), nextCursor: z.string().nullable() })
  .meta({ id: 'OrderPage' });

// The schemas and the contract's types must describe the same thing, both ways round.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const viewMatches: Same<z.infer<typeof orderView>, OrderView> = true;
const paymentMatches: Same<z.infer<typeof paymentResult>, PaymentResult> = true;
void viewMatches;
void paymentMatches;
