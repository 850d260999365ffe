// Shapes every route shares. Money is an integer of minor units with its currency; times
// are ISO-8601 in UTC.
import { z } from 'zod';
import { isKnownCurrency } from '../../workflows/order/rules/money.js';

/** Caller-chosen identifiers: safe in URLs, logs and workflow IDs. */
export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'must be 1-100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, such as USD')
  .refine(isKnownCurrency, { message: 'is not a known ISO 4217 currency code' });

/** Non-negative whole minor units (cents for USD). */
export const minorUnits = z.int('must be a whole number of minor units').min(0, 'must not be negative');
/** Positive whole minor units. */
export const positiveMinorUnits = z.int('must be a whole number of minor units').min(1, 'must be greater than zero');

export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time, such as 2026-11-23T09:30:00Z' });
export const isoDate = z.iso.date('must be a date, such as 2026-11-23');

export const orderIdParams = z.strictObject({ orderId: identifier });
