import { describe, expect, it } from 'vitest';
import {
  CURRENCY_EXPONENTS,
  assertMinor,
  formatMoney,
  isKnownCurrency,
  lineAmountMinor,
  taxMinor,
} from '../../../../workflows/order/rules/money.js';

describe('CURRENCY_EXPONENTS', () => {
  it('lists the active ISO 4217 codes with their exponents', () => {
    const codes = Object.keys(CURRENCY_EXPONENTS);
    expect(codes.length).toBeGreaterThanOrEqual(150);
    for (const code of codes) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3]).toContain(CURRENCY_EXPONENTS[code]);
    }
    for (const code of ['USD', 'EUR', 'GBP', 'CHF', 'CNY', 'INR', 'BRL', 'ZAR', 'XCG', 'ZWG', 'SLE', 'VES']) {
      expect(CURRENCY_EXPONENTS[code]).toBe(2);
    }
    for (const code of ['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF', 'PYG', 'RWF', 'KMF', 'GNF', 'DJF', 'VUV', 'XPF', 'BIF']) {
      expect(CURRENCY_EXPONENTS[code]).toBe(0);
    }
    for (const code of ['BHD', 'KWD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD']) {
      expect(CURRENCY_EXPONENTS[code]).toBe(3);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(CURRENCY_EXPONENTS)).toBe(true);
  });
});

describe('isKnownCurrency', () => {
  it('accepts active codes and refuses everything else', () => {
    expect(isKnownCurrency('USD')).toBe(true);
    expect(isKnownCurrency('KWD')).toBe(true);
    expect(isKnownCurrency('usd')).toBe(false);
    expect(isKnownCurrency('XXX')).toBe(false);
    expect(isKnownCurrency('')).toBe(false);
    // withdrawn codes and fund codes are not invoiceable
    expect(isKnownCurrency('HRK')).toBe(false);
    expect(isKnownCurrency('VEF')).toBe(false);
    expect(isKnownCurrency('CLF')).toBe(false);
    // inherited object properties are not currencies
    expect(isKnownCurrency('toString')).toBe(false);
    expect(isKnownCurrency('constructor')).toBe(false);
  });
});

describe('assertMinor', () => {
  it('passes non-negative safe integers', () => {
    expect(() => assertMinor(0)).not.toThrow();
    expect(() => assertMinor(125000)).not.toThrow();
    expect(() => assertMinor(Number.MAX_SAFE_INTEGER)).not.toThrow();
  });

  it('throws RangeError on negatives, fractions, unsafe and non-finite values', () => {
    for (const bad of [-1, 0.5, 12.34, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => assertMinor(bad)).toThrow(RangeError);
    }
  });

  it('names the amount in the message', () => {
    expect(() => assertMinor(-5, 'payment amount')).toThrow(/payment amount.*-5/);
  });
});

describe('formatMoney', () => {
  it('formats 2-exponent currencies with grouping', () => {
    expect(formatMoney(125000, 'USD')).toBe('USD 1,250.00');
    expect(formatMoney(0, 'USD')).toBe('USD 0.00');
    expect(formatMoney(5, 'EUR')).toBe('EUR 0.05');
    expect(formatMoney(99, 'EUR')).toBe('EUR 0.99');
    expect(formatMoney(100, 'EUR')).toBe('EUR 1.00');
    expect(formatMoney(100000000, 'GBP')).toBe('GBP 1,000,000.00');
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('USD 90,071,992,547,409.91');
  });

  it('formats 0-exponent currencies without a decimal point', () => {
    expect(formatMoney(5, 'JPY')).toBe('JPY 5');
    expect(formatMoney(0, 'JPY')).toBe('JPY 0');
    expect(formatMoney(1234567, 'KRW')).toBe('KRW 1,234,567');
    expect(formatMoney(-1000, 'JPY')).toBe('JPY -1,000');
  });

  it('formats 3-exponent currencies', () => {
    expect(formatMoney(1234567, 'KWD')).toBe('KWD 1,234.567');
    expect(formatMoney(5, 'BHD')).toBe('BHD 0.005');
    expect(formatMoney(1000, 'OMR')).toBe('OMR 1.000');
  });

  it('formats negatives with the sign after the currency', () => {
    expect(formatMoney(-1234, 'EUR')).toBe('EUR -12.34');
    expect(formatMoney(-1, 'EUR')).toBe('EUR -0.01');
    expect(formatMoney(-123456789, 'USD')).toBe('USD -1,234,567.89');
    expect(formatMoney(-1234567, 'KWD')).toBe('KWD -1,234.567');
  });

  it('refuses unknown currencies and non-integer amounts', () => {
    expect(() => formatMoney(100, 'ABC')).toThrow(RangeError);
    expect(() => formatMoney(12.5, 'USD')).toThrow(RangeError);
    expect(() => formatMoney(Number.MAX_SAFE_INTEGER + 1, 'USD')).toThrow(RangeError);
  });
});

describe('lineAmountMinor', () => {
  it('multiplies quantity by unit price', () => {
    expect(lineAmountMinor(3, 1999)).toBe(5997);
    expect(lineAmountMinor(0, 1999)).toBe(0);
    expect(lineAmountMinor(7, 0)).toBe(0);
  });

  it('throws when the product leaves the safe integer range', () => {
    expect(() => lineAmountMinor(2, Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
    expect(() => lineAmountMinor(1_000_000_000, 10_000_000_000)).toThrow(RangeError);
    expect(lineAmountMinor(1, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses negative or fractional inputs', () => {
    expect(() => lineAmountMinor(-1, 100)).toThrow(RangeError);
    expect(() => lineAmountMinor(1.5, 100)).toThrow(RangeError);
    expect(() => lineAmountMinor(1, -100)).toThrow(RangeError);
    expect(() => lineAmountMinor(1, 10.5)).toThrow(RangeError);
  });
});

describe('taxMinor', () => {
  it('computes net × bps / 10000', () => {
    expect(taxMinor(10000, 2000)).toBe(2000);
    expect(taxMinor(125000, 1900)).toBe(23750);
    expect(taxMinor(0, 2000)).toBe(0);
    expect(taxMinor(12345, 0)).toBe(0);
  });

  it('rounds exactly half up, and just below half down', () => {
    // 25 × 2000 / 10000 = 5 exactly; 1 × 5000 / 10000 = 0.5 → 1
    expect(taxMinor(1, 5000)).toBe(1);
    // 0.4999 → 0
    expect(taxMinor(1, 4999)).toBe(0);
    // 0.5001 → 1
    expect(taxMinor(1, 5001)).toBe(1);
    // 1234 × 1950 / 10000 = 240.63 → 241; 1230 × 1950 = 239.85 → 240
    expect(taxMinor(1234, 1950)).toBe(241);
    // 250 × 1900 = 47.5 → 48
    expect(taxMinor(250, 1900)).toBe(48);
    // 50 × 700 = 3.5 → 4; 70 × 500 = 3.5 → 4
    expect(taxMinor(50, 700)).toBe(4);
    expect(taxMinor(70, 500)).toBe(4);
  });

  it('rounds half away from zero for negative nets', () => {
    expect(taxMinor(-250, 1900)).toBe(-48);
    expect(taxMinor(-1, 4999)).toBe(0);
    expect(Object.is(taxMinor(-1, 4999), -0)).toBe(false);
  });

  it('stays exact where net × bps would pass 2^53', () => {
    // 9,007,199,254,740,991 × 1 / 10000 = 900,719,925,474.0991 → 900,719,925,474
    expect(taxMinor(Number.MAX_SAFE_INTEGER, 1)).toBe(900719925474);
    // an odd net at 50%: x.5 → rounds up exactly
    expect(taxMinor(Number.MAX_SAFE_INTEGER, 5000)).toBe(4503599627370496);
  });

  it('throws when the tax itself is not a safe integer, or inputs are invalid', () => {
    expect(() => taxMinor(Number.MAX_SAFE_INTEGER, 20000)).toThrow(RangeError);
    expect(() => taxMinor(100.5, 2000)).toThrow(RangeError);
    expect(() => taxMinor(100, -1)).toThrow(RangeError);
    expect(() => taxMinor(100, 19.5)).toThrow(RangeError);
  });
});
