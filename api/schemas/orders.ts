import { z } from 'zod';
import { orderStatus as orderStatusEnum } from '../../db/schema/orders.js';
import { paymentMethod as paymentMethodEnum } from '../../db/schema/payments.js';
import type { OrderCursor } from '../../db/queries/orders.js';
import type { OrderView, PaymentResult } from '../../workflows/order/contract.js';
import { ORDER_POLICIES } from '../../workflows/order/rules/policy.js';
import {
  currency,
  described,
  freeText,
  IDENTIFIER,
  identifier,
  isoDate,
  isoTime,
  MAX_AMOUNT_MINOR,
  minorUnits,
  oneLine,
  positiveMinorUnits,
} from './common.js';

// The database's enums are the one list of each (checked there against the contract's types).
export const orderStatus = z.enum(orderStatusEnum.enumValues);
const paymentMethod = z.enum(paymentMethodEnum.enumValues);

const quantity = z.int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).describe('Whole units, 1 to 1000000.');

/**
 * Far above any real order, and far enough below 2^53 that totals and tax stay exact: with tax
 * at most 100%, an order's total is at most twice this, and the totals of hundreds of orders
 * (a customer's exposure) still add up exactly and fit PostgreSQL's bigint.
 */
export const MAX_ORDER_SUBTOTAL_MINOR = 10_000_000_000_000;

/** Σ quantity × unit price, exactly: BigInt, so no product or sum is rounded on the way. */
function subtotalOf(lines: ReadonlyArray<{ quantity: number; unitPriceMinor: number }>): bigint {
  return lines.reduce((sum, l) => sum + BigInt(l.quantity) * BigInt(l.unitPriceMinor), 0n);
}

/** What every field takes, for the top of the API's document (each field's schema says its own). */
export const INPUT_RULES = [
  '## What the API accepts',
  "Whatever it accepts it can store, so a request it takes never fails later; anything else is `400 VALIDATION_FAILED`, with `errors` naming each field, and changes nothing. The two rules across an order's lines that a schema cannot state (distinct line IDs, the subtotal cap) are `422 UNPROCESSABLE`, with `errors` too.",
  '- **Text**: no control characters (U+0000-U+001F, U+007F-U+009F: NUL, escape, carriage return...) and no unpaired UTF-16 surrogates. Free text for people (reasons, comments, line descriptions) may hold tab and line feed (`\\n`); names, SKUs, IDs and codes are one line. Text is trimmed; IDs are 1-100 letters, digits, `.`, `_`, `:` or `-`.',
  '- **Times** are UTC instants in ISO-8601 ending in `Z` (`2026-11-23T09:30:00Z`), **dates** are `YYYY-MM-DD`; both must exist on the calendar and fall in the years 2000 to 2099.',
  `- **Money** is whole minor units (cents for USD): at most ${MAX_AMOUNT_MINOR} for one amount (a payment, a dispute, a credit limit); an order's subtotal (quantity × unit price over its lines) at most ${MAX_ORDER_SUBTOTAL_MINOR}, so with tax (0-10000 basis points) its total is at most twice that. Quantities are 1 to 1000000, payment terms 0 to 365 days.`,
  '- **Free lines**: a unit price of 0 is a line given away (a sample, a promotional item). It is invoiced at zero; an order of nothing else is invoiced at zero, owes nothing and closes once shipped.',
].join('\n');

export const createOrderBody = z
  .strictObject({
    orderId: identifier,
    customerId: identifier,
    currency,
    lines: z
      .array(
        z.strictObject({
          lineId: identifier,
          sku: oneLine(100),
          description: freeText(500),
          quantity,
          unitPriceMinor: minorUnits
            .max(MAX_ORDER_SUBTOTAL_MINOR, `must be at most ${MAX_ORDER_SUBTOTAL_MINOR} minor units`)
            .describe(
              `Whole minor units, 0 to ${MAX_ORDER_SUBTOTAL_MINOR}. Zero is a free line (a sample, a promotional item): it is invoiced at zero, and an order of nothing else owes nothing and closes once shipped.`,
            ),
        }),
      )
      .min(1, 'an order needs at least one line')
      .max(500)
      // Distinct IDs and the subtotal cap are rules across lines (`orderLinesProblems`).
      .describe(
        `1-500 lines with distinct IDs (else 422). The subtotal (the sum of quantity × unitPriceMinor) is at most ${MAX_ORDER_SUBTOTAL_MINOR} minor units (else 422), so the total with tax is at most twice that.`,
      ),
    taxRateBps: z.int('must be a whole number of basis points').min(0).max(10_000).default(0).describe('Basis points, 0 to 10000: 2000 is 20%.'),
    paymentTermsDays: z.int('must be a whole number of days').min(0).max(365).optional().describe("Days, 0 to 365; defaults to the customer's terms."),
    policy: z.enum(Object.keys(ORDER_POLICIES) as [keyof typeof ORDER_POLICIES]).default('standard'),
  })
  .meta({ id: 'CreateOrder' });
export type CreateOrderBody = z.infer<typeof createOrderBody>;

/**
 * What an order's lines must be together, beyond what each line's schema says: distinct IDs,
 * and a subtotal within the cap. JSON Schema cannot state either, so a body that breaks one
 * fits the document; the API answers it 422 UNPROCESSABLE (naming the field), as it does any
 * request that fits the document but can never succeed, and keeps 400 for a body that does
 * not fit it.
 */
export function orderLinesProblems(lines: CreateOrderBody['lines']): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (new Set(lines.map((l) => l.lineId)).size !== lines.length) problems.push({ path: 'body.lines', message: 'line IDs must be unique' });
  if (subtotalOf(lines) > BigInt(MAX_ORDER_SUBTOTAL_MINOR)) {
    problems.push({
      path: 'body.lines',
      message: `the order's subtotal (the sum of quantity × unitPriceMinor) must not exceed ${MAX_ORDER_SUBTOTAL_MINOR} minor units`,
    });
  }
  return problems;
}

export const shipmentBody = z
  .strictObject({
    shipmentId: identifier,
    lines: z.array(z.strictObject({ lineId: identifier, quantity })).min(1).max(500),
    shippedAt: described(isoTime, 'When it left; defaults to now.').optional(),
  })
  .meta({ id: 'Shipment' });

export const paymentBody = z
  .strictObject({
    paymentReference: identifier,
    amountMinor: positiveMinorUnits,
    currency,
    method: paymentMethod,
    receivedAt: described(isoTime, 'When the money arrived; defaults to now.').optional(),
  })
  .meta({ id: 'Payment' });

export const creditDecisionBody = z
  .strictObject({ decision: z.enum(['approve', 'reject']), comment: freeText(1000).optional() })
  .meta({ id: 'CreditDecision' });

export const disputeBody = z
  .strictObject({
    disputeId: identifier,
    amountMinor: positiveMinorUnits,
    reason: freeText(1000),
    resumeOn: described(isoDate, 'Dunning of the undisputed part may resume on this date while the dispute is open.').optional(),
  })
  .meta({ id: 'Dispute' });

export const disputeParams = z.strictObject({ orderId: identifier, disputeId: identifier });

export const resolutionBody = z
  .strictObject({
    outcome: z.enum(['accepted', 'rejected']),
    acceptedMinor: described(positiveMinorUnits, 'Accepted in part: the amount to credit. Defaults to the whole disputed amount.').optional(),
    comment: freeText(1000).optional(),
  })
  .meta({ id: 'DisputeResolution' });

export const cancelBody = z.strictObject({ reason: freeText(1000) }).meta({ id: 'Cancellation' });
export const writeOffBody = z.strictObject({ reason: freeText(1000) }).meta({ id: 'WriteOff' });
export const retryBody = z.strictObject({ comment: freeText(1000).optional() }).meta({ id: 'Retry' });

// Query strings are text: digits only, so an empty `?dunningLevel=` is refused, not read as 0.
// The pattern itself holds the bounds, so the document states what is taken (`^\d{1,6}$` with
// the bounds in a later step promised `limit=0` and `limit=999999`, which were refused).
// Digits as written, no leading zero.
const UP_TO_100 = { 0: /^(?:0|[1-9]\d?|100)$/, 1: /^(?:[1-9]\d?|100)$/ } as const;
const wholeNumberUpTo100 = (min: 0 | 1) =>
  z
    .string()
    .regex(UP_TO_100[min], `must be a whole number from ${min} to 100`)
    .transform(Number)
    .describe(`A whole number, ${min} to 100.`);

/**
 * A page's `nextCursor` names the last order the page showed: when it was created, in
 * microseconds since 1970, and its ID (`1795424460110000_po-1001`); the next page lists the
 * orders older than that one. Any cursor of this form is a place in the list, so the pattern
 * says exactly what is accepted. (An opaque token could only be documented by a pattern that
 * promised cursors the API then refused.) Sixteen digits reach the year 2286.
 */
const CURSOR = new RegExp(`^(\\d{1,16})_(${IDENTIFIER.source.slice(1, -1)})$`);

/** The cursor that continues after `c` (times as the database gives them, to the microsecond). */
export function encodeCursor(c: OrderCursor): string {
  const seconds = BigInt(Date.parse(`${c.createdAt.slice(0, 19)}Z`)) / 1000n;
  return `${seconds * 1_000_000n + BigInt(c.createdAt.slice(20, 26))}_${c.id}`;
}

/** The place a cursor names: exact integer arithmetic, so no microsecond is lost on the way. */
function decodeCursor(cursor: string): OrderCursor {
  const [, micros, id] = CURSOR.exec(cursor)!;
  const at = BigInt(micros!);
  const seconds = new Date(Number((at / 1_000_000n) * 1000n)).toISOString().slice(0, 19);
  return { createdAt: `${seconds}.${String(at % 1_000_000n).padStart(6, '0')}Z`, id: id! };
}

export const listOrdersQuery = z.strictObject({
  status: orderStatus.optional(),
  customerId: identifier.optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  dunningLevel: wholeNumberUpTo100(0).optional(),
  limit: wholeNumberUpTo100(1).default(25).describe('Orders per page, 1 to 100; 25 when not given.'),
  // Empty is the first page, as when it is left out, for callers that send `cursor=${next ?? ''}`.
  cursor: z
    .string()
    .regex(new RegExp(`^(?:${CURSOR.source.slice(1, -1)})?$`), "must be a page's nextCursor, such as 1795424460110000_po-1001")
    .transform((cursor) => (cursor === '' ? undefined : decodeCursor(cursor)))
    .optional()
    .describe("From the previous page's `nextCursor`; empty or left out for the first page."),
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
    attention: z.object({ reason: z.string(), since: z.string() }).nullable(),
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
  .object({ items: z.array(orderSummary), nextCursor: z.string().regex(CURSOR).nullable() })
  .meta({ id: 'OrderPage' });

// The schemas and the contract's types must describe the same thing, both ways round.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const viewMatches: Same<z.infer<typeof orderView>, OrderView> = true;
const paymentMatches: Same<z.infer<typeof paymentResult>, PaymentResult> = true;
void viewMatches;
void paymentMatches;
