// Shapes every route shares. Whatever these accept must be storable as it is: a request the
// API takes is recorded by an order's workflow and written by its activities, which retry until
// they succeed, so a value PostgreSQL refuses would stop the order for good. Hence:
//  - text holds no control characters and no unpaired UTF-16 surrogates (see `oneLine`, `freeText`);
//  - times and dates are UTC, exist on the calendar, and fall in the years 2000 to 2099;
//  - money is whole minor units with its currency, bounded so that sums stay exact.
import { z } from 'zod';
import { FREE_TEXT_CHARACTERS, IN_YEARS, ONE_LINE_CHARACTERS, UNPAIRED_SURROGATE } from '../../workflows/order/rules/input.js';
import { CURRENCY_EXPONENTS } from '../../workflows/order/rules/money.js';

/** Caller-chosen identifiers: safe in URLs, logs and workflow IDs. */
export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
export const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be 1-100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

/**
 * The codes the books take, listed: a document that said only "three capitals" would promise
 * codes such as AAA that are then refused (API tools generate from the document, and callers
 * build their pick-lists from it).
 */
export const currency = z
  .enum(Object.keys(CURRENCY_EXPONENTS) as [string, ...string[]], {
    error: 'must be a known ISO 4217 currency code in capitals, such as USD',
  })
  .meta({ id: 'Currency', description: 'An active ISO 4217 currency code, such as USD.' });

// ---- text --------------------------------------------------------------------------------

// The characters each kind of text refuses are the order's own rules (rules/input.ts): the
// workflow's validators apply them again. See there for why, and for why the document's
// pattern names the control characters and only the description the unpaired surrogates.
const CONTROL_RANGES = 'U+0000-U+001F, U+007F-U+009F';
const ONE_LINE_MESSAGE = 'must be one line of text: no control characters (no tab, line break or NUL) and no unpaired UTF-16 surrogates';
const FREE_TEXT_MESSAGE = 'must not contain control characters other than tab and line feed (\\n), nor unpaired UTF-16 surrogates';

/**
 * Text holds a character that `String.prototype.trim` keeps: not empty, not only whitespace.
 * The class is trim's own set (ECMAScript WhiteSpace and LineTerminator), written out because
 * `\s` means another set in the Rust and Python regex engines that read the API's document.
 */
const NOT_BLANK = /[^\t\n\u000B\u000C\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/u;
const BLANK_MESSAGE = 'must not be empty or only whitespace';

// Every check runs on the text as sent, then it is trimmed: the document's patterns and
// maxLength describe what a caller sends, so a check on the trimmed text would take what the
// document refuses (" name\t", 201 characters with a space) and refuse what it takes ("\n").

/**
 * At most `max` characters, counted as JSON Schema's maxLength counts them: code points, so an
 * emoji is one (zod's `.max()` counts UTF-16 units, two for an emoji, and refused 300 emoji
 * that the document's maxLength 500 takes).
 */
const atMost = (max: number) =>
  z
    .string()
    .refine((text) => [...text].length <= max, `must be at most ${max} characters`)
    .meta({ maxLength: max });

/**
 * A name, a SKU: one line of at most `max` characters, with no control character at all (not
 * even a tab or a line break) and no unpaired surrogate, and not blank; stored trimmed.
 */
export const oneLine = (max: number) =>
  atMost(max)
    .regex(ONE_LINE_CHARACTERS, ONE_LINE_MESSAGE)
    .regex(NOT_BLANK, BLANK_MESSAGE)
    .refine((text) => !UNPAIRED_SURROGATE.test(text), ONE_LINE_MESSAGE)
    .trim()
    .describe(
      `One line of 1-${max} characters, not only whitespace, stored trimmed; no control characters (${CONTROL_RANGES}) and no unpaired UTF-16 surrogates.`,
    );

/**
 * Free text for people (reasons, comments, descriptions): at most `max` characters, not
 * blank; tabs and line feeds are allowed, no other control character, and no unpaired
 * surrogate; stored trimmed.
 */
export const freeText = (max: number) =>
  atMost(max)
    .regex(FREE_TEXT_CHARACTERS, FREE_TEXT_MESSAGE)
    .regex(NOT_BLANK, BLANK_MESSAGE)
    .refine((text) => !UNPAIRED_SURROGATE.test(text), FREE_TEXT_MESSAGE)
    .trim()
    .describe(
      `Text for people, 1-${max} characters, not only whitespace, stored trimmed; tab and line feed (\\n) allowed, no other control characters (${CONTROL_RANGES}) and no unpaired UTF-16 surrogates.`,
    );

// ---- money -------------------------------------------------------------------------------

/**
 * The most any one amount (a payment, a credit limit, a dispute) may be: 10^15 minor units,
 * ten trillion dollars, beyond any real one in any currency; small enough that a few of them
 * still add up exactly in a double (below 2^53) and fit PostgreSQL's bigint.
 */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000;

/** Non-negative whole minor units (cents for USD), at most MAX_AMOUNT_MINOR. */
export const minorUnits = z
  .int('must be a whole number of minor units')
  .min(0, 'must not be negative')
  .max(MAX_AMOUNT_MINOR, `must be at most ${MAX_AMOUNT_MINOR} minor units`)
  .describe(`Whole minor units (cents for USD), 0 to ${MAX_AMOUNT_MINOR}.`);
/** Positive whole minor units, at most MAX_AMOUNT_MINOR. */
export const positiveMinorUnits = z
  .int('must be a whole number of minor units')
  .min(1, 'must be greater than zero')
  .max(MAX_AMOUNT_MINOR, `must be at most ${MAX_AMOUNT_MINOR} minor units`)
  .describe(`Whole minor units (cents for USD), 1 to ${MAX_AMOUNT_MINOR}.`);

// ---- times and dates ---------------------------------------------------------------------

// Times are instants the books record (when money arrived, when goods left) and dates are
// calendar days (when dunning may resume), in a fixed window of years: see rules/input.ts.
const YEARS_MESSAGE = 'must be in the years 2000 to 2099';

/** A UTC instant in ISO-8601, ending in Z; the date must exist (no 31 April); 2000 to 2099. */
export const isoTime = z.iso
  .datetime({ message: 'must be a UTC time in ISO-8601 ending in Z, such as 2026-11-23T09:30:00Z', abort: true })
  .regex(IN_YEARS, YEARS_MESSAGE)
  .describe('A UTC time in ISO-8601 ending in Z, such as 2026-11-23T09:30:00Z, from 2000-01-01T00:00:00Z to 2099-12-31T23:59:59Z.');

/** A calendar date (YYYY-MM-DD) that exists, in the years 2000 to 2099. */
export const isoDate = z.iso
  .date({ message: 'must be a date that exists, such as 2026-11-23', abort: true })
  .regex(IN_YEARS, YEARS_MESSAGE)
  .describe('A calendar date (YYYY-MM-DD) that exists, such as 2026-11-23, from 2000-01-01 to 2099-12-31.');

/** The schema with `text` put before what its description already says. */
export function described<S extends z.ZodType>(schema: S, text: string): S {
  return schema.describe(schema.description ? `${text} ${schema.description}` : text);
}

export const orderIdParams = z.strictObject({ orderId: identifier });
