import { describe, expect, it } from 'vitest';
import type { OrderLine } from '../../../../workflows/order/contract.js';
import {
  addDays,
  draftInvoice,
  dueDateFrom,
  orderTotals,
  startOfDayIso,
  utcDate,
} from '../../../../workflows/order/rules/invoice.js';

const lines: OrderLine[] = [
  { lineId: 'L1', sku: 'WID-1', description: 'Widget', quantity: 10, unitPriceMinor: 1250 },
  { lineId: 'L2', sku: 'GAD-2', description: 'Gadget', quantity: 3, unitPriceMinor: 3333 },
  { lineId: 'L3', sku: 'SVC-3', description: 'Installation', quantity: 1, unitPriceMinor: 50000 },
];

describe('draftInvoice', () => {
  it('bills the shipped quantities, one line per shipped order line, in order', () => {
    const draft = draftInvoice(lines, { L1: 4, L3: 1 }, 2000);
    expect(draft.lines).toEqual([
      { lineId: 'L1', description: 'Widget', quantity: 4, unitPriceMinor: 1250, amountMinor: 5000 },
      { lineId: 'L3', description: 'Installation', quantity: 1, unitPriceMinor: 50000, amountMinor: 50000 },
    ]);
    expect(draft.subtotalMinor).toBe(55000);
    expect(draft.taxMinor).toBe(11000);
    expect(draft.totalMinor).toBe(66000);
  });

  it('skips lines shipped with quantity 0', () => {
    const draft = draftInvoice(lines, { L1: 0, L2: 1 }, 0);
    expect(draft.lines.map((l) => l.lineId)).toEqual(['L2']);
    expect(draft.totalMinor).toBe(3333);
  });

  it('taxes the subtotal once, not each line', () => {
    // Per line: 5 × 10% = 0.5 → 1 each, 3 lines → 3. On the subtotal: 15 × 10% = 1.5 → 2.
    const cheap: OrderLine[] = ['A', 'B', 'C'].map((id) => ({
      lineId: id,
      sku: id,
      description: id,
      quantity: 1,
      unitPriceMinor: 5,
    }));
    const draft = draftInvoice(cheap, { A: 1, B: 1, C: 1 }, 1000);
    expect(draft.subtotalMinor).toBe(15);
    expect(draft.taxMinor).toBe(2);
    expect(draft.totalMinor).toBe(17);
  });

  it('throws when nothing has shipped', () => {
    expect(() => draftInvoice(lines, {}, 2000)).toThrow(RangeError);
    expect(() => draftInvoice(lines, { L1: 0, L2: 0 }, 2000)).toThrow(/nothing has shipped/);
  });

  it('refuses over-shipment, unknown lines and bad quantities', () => {
    expect(() => draftInvoice(lines, { L1: 11 }, 2000)).toThrow(/only 10 were ordered/);
    expect(() => draftInvoice(lines, { L9: 1 }, 2000)).toThrow(/unknown order line L9/);
    expect(() => draftInvoice(lines, { L1: -1 }, 2000)).toThrow(RangeError);
    expect(() => draftInvoice(lines, { L1: 1.5 }, 2000)).toThrow(RangeError);
  });
});

describe('orderTotals', () => {
  it('sums every line and taxes the subtotal', () => {
    // 12500 + 9999 + 50000 = 72499; 20% = 14499.8 → 14500
    expect(orderTotals(lines, 2000)).toEqual({ subtotalMinor: 72499, taxMinor: 14500, totalMinor: 86999 });
  });

  it('handles an empty order and a zero rate', () => {
    expect(orderTotals([], 2000)).toEqual({ subtotalMinor: 0, taxMinor: 0, totalMinor: 0 });
    expect(orderTotals(lines, 0)).toEqual({ subtotalMinor: 72499, taxMinor: 0, totalMinor: 72499 });
  });

  it('refuses invalid prices and overflowing totals', () => {
    const bad: OrderLine[] = [{ lineId: 'X', sku: 'X', description: 'X', quantity: 1, unitPriceMinor: 12.5 }];
    expect(() => orderTotals(bad, 2000)).toThrow(RangeError);
    const huge: OrderLine[] = [
      { lineId: 'A', sku: 'A', description: 'A', quantity: 1, unitPriceMinor: Number.MAX_SAFE_INTEGER },
      { lineId: 'B', sku: 'B', description: 'B', quantity: 1, unitPriceMinor: 1 },
    ];
    expect(() => orderTotals(huge, 0)).toThrow(RangeError);
  });
});

describe('addDays', () => {
  it('adds within a month and across month ends', () => {
    expect(addDays('2026-12-01', 0)).toBe('2026-12-01');
    expect(addDays('2026-12-01', 22)).toBe('2026-12-23');
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-04-30', 1)).toBe('2026-05-01');
  });

  it('crosses year boundaries both ways', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-12-20', 30)).toBe('2027-01-19');
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01');
  });

  it('knows leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01'); // century, not a leap year
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29'); // 400-year rule
    expect(addDays('2028-01-01', 366)).toBe('2029-01-01');
  });

  it('does not map years below 100 into the 1900s', () => {
    expect(addDays('0050-06-15', 1)).toBe('0050-06-16');
  });

  it('refuses malformed and non-existent dates and fractional days', () => {
    for (const bad of ['2026-2-1', '2026-02-30', '2027-02-29', '2026-13-01', '2026-00-10', '2026-12-23T00:00:00Z', '']) {
      expect(() => addDays(bad, 1)).toThrow(RangeError);
    }
    expect(() => addDays('2026-12-01', 1.5)).toThrow(RangeError);
    expect(() => addDays('2026-12-01', Number.NaN)).toThrow(RangeError);
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
  });
});

describe('dueDateFrom', () => {
  it('counts terms from the UTC calendar date of issue', () => {
    expect(dueDateFrom('2026-11-23T22:00:00Z', 30)).toBe('2026-12-23');
    expect(dueDateFrom('2026-11-23T00:00:00.000Z', 0)).toBe('2026-11-23');
    expect(dueDateFrom('2026-12-15T09:30:00.000Z', 30)).toBe('2027-01-14');
    expect(dueDateFrom('2028-01-30T12:00:00Z', 30)).toBe('2028-02-29');
  });

  it('converts offsets to UTC before taking the date', () => {
    // 01:00 in +02:00 is 23:00 the day before in UTC
    expect(dueDateFrom('2026-11-24T01:00:00+02:00', 30)).toBe('2026-12-23');
    // 23:00 in −05:00 is 04:00 the next day in UTC
    expect(dueDateFrom('2026-11-23T23:00:00-05:00', 30)).toBe('2026-12-24');
  });

  it('refuses instants without an offset, impossible dates and bad terms', () => {
    expect(() => dueDateFrom('2026-11-23T22:00:00', 30)).toThrow(RangeError);
    expect(() => dueDateFrom('2026-11-23', 30)).toThrow(RangeError);
    expect(() => dueDateFrom('2026-02-30T00:00:00Z', 30)).toThrow(RangeError);
    expect(() => dueDateFrom('yesterday', 30)).toThrow(RangeError);
    expect(() => dueDateFrom('2026-11-23T22:00:00Z', -1)).toThrow(RangeError);
    expect(() => dueDateFrom('2026-11-23T22:00:00Z', 7.5)).toThrow(RangeError);
  });
});

describe('startOfDayIso', () => {
  it('gives midnight UTC of the date', () => {
    expect(startOfDayIso('2026-12-23')).toBe('2026-12-23T00:00:00.000Z');
    expect(new Date(startOfDayIso('2028-02-29')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it('refuses invalid dates', () => {
    expect(() => startOfDayIso('2026-02-30')).toThrow(RangeError);
    expect(() => startOfDayIso('23/12/2026')).toThrow(RangeError);
  });
});

describe('utcDate', () => {
  it('is the calendar date in UTC, whatever the instant was written with', () => {
    expect(utcDate(new Date('2026-11-23T23:59:59.999Z'))).toBe('2026-11-23');
    expect(utcDate(new Date('2026-11-24T01:00:00+02:00'))).toBe('2026-11-23');
    expect(utcDate(new Date('2024-02-29T00:00:00Z'))).toBe('2024-02-29');
  });
  it('refuses an invalid instant', () => {
    expect(() => utcDate(new Date('nope'))).toThrow(RangeError);
  });
});
