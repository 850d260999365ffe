// Invoice rules: what an invoice contains and when it is due. Pure, so the workflow decides
// the invoice deterministically and activities can recompute the same figures.
import type { InvoiceLineState, OrderLine } from '../contract.js';
import { lineAmountMinor, taxMinor } from './money.js';

/** An invoice's number: its series and its sequence in it, six digits at least (`INV-000042`). */
export function formatInvoiceNumber(series: string, sequence: number): string {
  return `${series}-${String(sequence).padStart(6, '0')}`;
}

export interface InvoiceDraft {
  lines: InvoiceLineState[];
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
}

function safeSum(a: number, b: number, what: string): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError(`${what} exceeds the safe integer range`);
  return sum;
}

/**
 * One invoice line per order line that shipped anything, billed for the shipped quantity.
 * Tax is computed once on the subtotal, not per line, so line roundings never add up to a
 * cent of drift against the rate.
 */
export function draftInvoice(
  lines: OrderLine[],
  shippedQuantities: Record<string, number>,
  taxRateBps: number,
): InvoiceDraft {
  const known = new Set(lines.map((line) => line.lineId));
  for (const lineId of Object.keys(shippedQuantities)) {
    // A shipment against a line the order does not have would silently go unbilled.
    if (!known.has(lineId)) throw new RangeError(`shipped quantity for unknown order line ${lineId}`);
  }
  const invoiceLines: InvoiceLineState[] = [];
  let subtotalMinor = 0;
  for (const line of lines) {
    const shipped = Object.hasOwn(shippedQuantities, line.lineId) ? shippedQuantities[line.lineId] ?? 0 : 0;
    if (!Number.isSafeInteger(shipped) || shipped < 0) {
      throw new RangeError(`shipped quantity of line ${line.lineId} must be a non-negative integer, got ${String(shipped)}`);
    }
    if (shipped > line.quantity) {
      throw new RangeError(`line ${line.lineId} shipped ${shipped} but only ${line.quantity} were ordered`);
    }
    if (shipped === 0) continue;
    const amountMinor = lineAmountMinor(shipped, line.unitPriceMinor);
    invoiceLines.push({
      lineId: line.lineId,
      description: line.description,
      quantity: shipped,
      unitPriceMinor: line.unitPriceMinor,
      amountMinor,
    });
    subtotalMinor = safeSum(subtotalMinor, amountMinor, 'invoice subtotal');
  }
  if (invoiceLines.length === 0) throw new RangeError('nothing has shipped: there is nothing to invoice');
  const tax = taxMinor(subtotalMinor, taxRateBps);
  return { lines: invoiceLines, subtotalMinor, taxMinor: tax, totalMinor: safeSum(subtotalMinor, tax, 'invoice total') };
}

/** The order's full value, as the credit check weighs it (tax included, one rounding). */
export function orderTotals(
  lines: OrderLine[],
  taxRateBps: number,
): { subtotalMinor: number; taxMinor: number; totalMinor: number } {
  let subtotalMinor = 0;
  for (const line of lines) {
    subtotalMinor = safeSum(subtotalMinor, lineAmountMinor(line.quantity, line.unitPriceMinor), 'order subtotal');
  }
  const tax = taxMinor(subtotalMinor, taxRateBps);
  return { subtotalMinor, taxMinor: tax, totalMinor: safeSum(subtotalMinor, tax, 'order total') };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// An explicit offset is required: a string without one would be read in the host's local
// time zone, and the answer would depend on the machine.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function assertDays(days: number, what: string): void {
  if (!Number.isSafeInteger(days)) throw new RangeError(`${what} must be an integer number of days, got ${String(days)}`);
}

function formatDate(d: Date): string {
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`date out of range: year ${year}`);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${mm}-${dd}`;
}

/** The UTC calendar date (YYYY-MM-DD) of an instant: "today" for as-of-date figures. */
export function utcDate(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('invalid instant');
  return formatDate(at);
}

/** The calendar date `days` after `date` (negative goes back), across months, years and leap days. */
export function addDays(date: string, days: number): string {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${String(date)}`);
  assertDays(days, 'days');
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  // setUTCFullYear rather than Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const probe = new Date(0);
  probe.setUTCFullYear(y, m - 1, d);
  // Round-tripping rejects dates that do not exist (2026-02-30 would roll into March).
  if (formatDate(probe) !== date) throw new RangeError(`no such calendar date: ${date}`);
  const result = new Date(0);
  result.setUTCFullYear(y, m - 1, d + days);
  if (Number.isNaN(result.getTime())) throw new RangeError(`date out of range: ${date} + ${days} days`);
  return formatDate(result);
}

/** Due date: the UTC calendar date of issue plus the payment terms in calendar days. */
export function dueDateFrom(issuedAtIso: string, paymentTermsDays: number): string {
  if (!INSTANT.test(issuedAtIso)) throw new RangeError(`not an ISO-8601 instant with a UTC offset: ${String(issuedAtIso)}`);
  // Date.parse rolls 02-30 over into March; insist the written date exists.
  addDays(issuedAtIso.slice(0, 10), 0);
  const ms = Date.parse(issuedAtIso);
  if (Number.isNaN(ms)) throw new RangeError(`invalid instant: ${issuedAtIso}`);
  if (!Number.isSafeInteger(paymentTermsDays) || paymentTermsDays < 0) {
    throw new RangeError(`payment terms must be a non-negative integer of days, got ${String(paymentTermsDays)}`);
  }
  return addDays(formatDate(new Date(ms)), paymentTermsDays);
}

/** Midnight UTC at the start of a calendar date, as an ISO instant. */
export function startOfDayIso(date: string): string {
  // addDays(…, 0) validates the date (format and existence) without changing it.
  return `${addDays(date, 0)}T00:00:00.000Z`;
}
