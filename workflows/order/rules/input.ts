// Input rules: what text, times and dates an order can store. The API's schemas are built
// from these, and the order's update validators apply them again, so a value PostgreSQL would
// refuse never reaches an activity that would retry it forever, whoever sends it. Pure and
// deterministic: regular expressions and string checks, no clock, no zod.

// What no text takes: C0 controls (U+0000-U+001F; PostgreSQL text cannot hold NUL at all),
// DEL and the C1 controls (U+007F-U+009F), and UTF-16 surrogates that are not part of a pair
// (U+D800-U+DFFF alone: UTF-8 has no encoding for them, and jsonb refuses their escapes).
//
// The two are checked apart because the API's document can state only the first as a pattern.
// Tools that read a JSON Schema pattern in other languages cannot name surrogates: Rust's regex
// (jsonschema-rs, which API testing tools validate with) refuses a range of them, and Python's
// `re` (which they generate strings with) has no `\p{Cs}`; either way the pattern is dropped or
// no string can be made from it. A lone surrogate is no Unicode text at all (I-JSON, RFC 7493,
// forbids it), so the document's pattern names the control characters and its description says
// that unpaired surrogates are refused.

/** One line of text (names, SKUs): no control character at all. */
export const ONE_LINE_CHARACTERS = /^[^\u0000-\u001F\u007F-\u009F]*$/u;

/**
 * Free text for people (reasons, comments, descriptions): tab (U+0009) and line feed (U+000A)
 * allowed, no other control character. A carriage return is refused: a line break is "\n"
 * (what browsers' text areas give scripts), so there is one way to write it.
 */
export const FREE_TEXT_CHARACTERS = /^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$/u;

/**
 * Half of a surrogate pair standing alone. The `u` flag reads a pair as the one character it
 * encodes, so emoji and everything else beyond U+FFFF do not match; only an unpaired half does.
 */
export const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * Times and dates fall in the years 2000 to 2099. A fixed window, rather than one around
 * today, so a request taken once is taken again however late it is retried, and the API's
 * document can state it exactly. It holds every date this business records (nothing it
 * invoices predates 2000) with room to spare, and lies well within what PostgreSQL's
 * timestamptz and date, JavaScript's Date and the due-date arithmetic handle. Year 0000, say,
 * is valid ISO-8601 and a valid JavaScript date, but PostgreSQL refuses it.
 */
export const IN_YEARS = /^20\d{2}-/;

const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Text an order can store: one line, or free text (tab and line feed allowed). */
export function isStorableText(text: unknown, kind: 'one line' | 'free text'): boolean {
  if (typeof text !== 'string' || UNPAIRED_SURROGATE.test(text)) return false;
  return (kind === 'one line' ? ONE_LINE_CHARACTERS : FREE_TEXT_CHARACTERS).test(text);
}

/** A calendar date (YYYY-MM-DD) that exists, in the years 2000 to 2099. */
export function isStorableDate(date: unknown): boolean {
  if (typeof date !== 'string' || !DATE.test(date) || !IN_YEARS.test(date)) return false;
  // The date as JavaScript reads it is the date written: 2026-02-30 would roll into March.
  const ms = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}

/** A UTC instant in ISO-8601 ending in Z, on a date that exists, in the years 2000 to 2099. */
export function isStorableInstant(instant: unknown): boolean {
  if (typeof instant !== 'string') return false;
  const match = INSTANT.exec(instant);
  return match !== null && isStorableDate(match[1]);
}
