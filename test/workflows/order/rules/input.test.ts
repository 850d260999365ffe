// The input rules the API's schemas and the order's validators share: what text, times and
// dates the books can store. The API's zod schemas must agree with them exactly.
import { describe, expect, it } from 'vitest';
import { isoDate, isoTime } from '../../../../api/schemas/common.js';
import { isStorableDate, isStorableInstant, isStorableText } from '../../../../workflows/order/rules/input.js';

describe('isStorableText', () => {
  it.each([
    ['plain text', 'Widget, blue'],
    ['accents and CJK', 'Zoë & Søn 株式会社'],
    ['a surrogate pair (an emoji)', 'rocket 🚀'],
    ['U+00A0 and U+FFFD', 'a\u00a0b\ufffd'],
    ['an empty string', ''],
  ])('takes %s in both kinds', (_what, text) => {
    expect(isStorableText(text, 'one line')).toBe(true);
    expect(isStorableText(text, 'free text')).toBe(true);
  });

  it.each([
    ['NUL', '\u0000'],
    ['U+0001', '\u0001'],
    ['escape', '\u001b'],
    ['U+001F', '\u001f'],
    ['carriage return', '\r'],
    ['vertical tab', '\u000b'],
    ['form feed', '\f'],
    ['DEL', '\u007f'],
    ['U+0080', '\u0080'],
    ['NEL', '\u0085'],
    ['U+009F', '\u009f'],
    ['an unpaired high surrogate', '\ud83d'],
    ['an unpaired low surrogate', '\ude80'],
    ['a pair the wrong way round', '\ude80\ud83d'],
  ])('refuses %s in both kinds', (_what, bad) => {
    expect(isStorableText(`a${bad}b`, 'one line')).toBe(false);
    expect(isStorableText(`a${bad}b`, 'free text')).toBe(false);
  });

  it('keeps tab and line feed in free text only', () => {
    for (const ws of ['\t', '\n']) {
      expect(isStorableText(`a${ws}b`, 'free text')).toBe(true);
      expect(isStorableText(`a${ws}b`, 'one line')).toBe(false);
    }
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, ['a'], { a: 1 }]) expect(isStorableText(value, 'free text')).toBe(false);
  });
});

/** Every YYYY-MM-DD from 1999 to 2100 with days 00 to 32, real or not. */
function* candidateDates(): Generator<string> {
  for (let year = 1999; year <= 2100; year++) {
    for (let month = 0; month <= 13; month++) {
      for (let day = 0; day <= 32; day++) {
        yield `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      }
    }
  }
}

describe('isStorableDate', () => {
  it('takes exactly the calendar dates of 2000 to 2099, as the API does', () => {
    let taken = 0;
    for (const date of candidateDates()) {
      const year = Number(date.slice(0, 4));
      const ms = Date.parse(`${date}T00:00:00Z`);
      const real = !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === date;
      const expected = year >= 2000 && year <= 2099 && real;
      expect(isStorableDate(date), date).toBe(expected);
      expect(isoDate.safeParse(date).success, `API: ${date}`).toBe(expected);
      if (expected) taken++;
    }
    // 100 years of 365 days and 25 leap days (2000 is a leap year; 2100 is not, and out of range).
    expect(taken).toBe(36_525);
  });

  it.each(['0000-01-01', '2026-1-01', '2026-01-1', '20261215', '2026-12-15T00:00:00Z', ' 2026-12-15', '2026-12-15\u0000', '+02026-12-15'])(
    'refuses %j',
    (date) => {
      expect(isStorableDate(date)).toBe(false);
      expect(isoDate.safeParse(date).success).toBe(false);
    },
  );
});

describe('isStorableInstant', () => {
  it.each([
    '2000-01-01T00:00:00Z',
    '2099-12-31T23:59:59Z',
    '2099-12-31T23:59:59.999999999Z',
    '2024-02-29T12:00:00.5Z',
    '2026-11-23T09:30:00.123Z',
  ])('takes %s, as the API does', (instant) => {
    expect(isStorableInstant(instant)).toBe(true);
    expect(isoTime.safeParse(instant).success).toBe(true);
  });

  it.each([
    '0000-01-01T00:00:00Z',
    '1999-12-31T23:59:59.999Z',
    '2100-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-11-23T24:00:00Z',
    '2026-11-23T23:60:00Z',
    '2026-12-31T23:59:60Z',
    '2026-11-23T09:30:00+00:00',
    '2026-11-23T09:30:00+02:00',
    '2026-11-23T09:30:00',
    '2026-11-23T09:30Z',
    '2026-11-23T09:30:00.Z',
    '2026-11-23t09:30:00z',
    '2026-11-23 09:30:00Z',
    '2026-11-23',
    '2026-11-23T09:30:00Z\u0000',
    '',
  ])('refuses %j, as the API does', (instant) => {
    expect(isStorableInstant(instant)).toBe(false);
    expect(isoTime.safeParse(instant).success).toBe(false);
  });
});
