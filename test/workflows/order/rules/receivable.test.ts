import { describe, expect, it } from 'vitest';
import {
  type ReceivableTotals,
  balanceMinor,
  creditNoteMinor,
  dunnableMinor,
  settlesBalance,
  isSamePayment,
  paymentIdentity,
  reconcile,
  splitPayment,
} from '../../../../workflows/order/rules/receivable.js';

function totals(over: Partial<ReceivableTotals> = {}): ReceivableTotals {
  return {
    invoiceTotalMinor: 120000,
    feesMinor: 0,
    appliedPaymentsMinor: 0,
    creditNotesMinor: 0,
    writtenOffMinor: 0,
    ...over,
  };
}

describe('balanceMinor', () => {
  it('is invoice + fees − payments − credit notes − write-offs', () => {
    expect(balanceMinor(totals())).toBe(120000);
    expect(
      balanceMinor(totals({ feesMinor: 1500, appliedPaymentsMinor: 50000, creditNotesMinor: 10000, writtenOffMinor: 1000 })),
    ).toBe(60500);
  });

  it('keeps fees open after the base amount is paid', () => {
    expect(balanceMinor(totals({ feesMinor: 1500, appliedPaymentsMinor: 120000 }))).toBe(1500);
  });

  it('reaches exactly zero', () => {
    expect(balanceMinor(totals({ appliedPaymentsMinor: 100000, creditNotesMinor: 20000 }))).toBe(0);
  });

  it('throws rather than go negative', () => {
    expect(() => balanceMinor(totals({ appliedPaymentsMinor: 120001 }))).toThrow(RangeError);
  });

  it('refuses invalid amounts', () => {
    expect(() => balanceMinor(totals({ feesMinor: -1 }))).toThrow(RangeError);
    expect(() => balanceMinor(totals({ appliedPaymentsMinor: 0.5 }))).toThrow(RangeError);
  });
});

describe('splitPayment', () => {
  it('applies a partial payment in full', () => {
    expect(splitPayment(120000, 50000)).toEqual({ appliedMinor: 50000, unappliedMinor: 0 });
  });

  it('applies an exact payment in full', () => {
    expect(splitPayment(120000, 120000)).toEqual({ appliedMinor: 120000, unappliedMinor: 0 });
  });

  it('keeps an overpayment as unapplied customer credit', () => {
    expect(splitPayment(120000, 125000)).toEqual({ appliedMinor: 120000, unappliedMinor: 5000 });
  });

  it('leaves everything unapplied on a zero balance', () => {
    expect(splitPayment(0, 9999)).toEqual({ appliedMinor: 0, unappliedMinor: 9999 });
  });

  it('refuses invalid amounts', () => {
    expect(() => splitPayment(100, -1)).toThrow(RangeError);
    expect(() => splitPayment(-100, 1)).toThrow(RangeError);
    expect(() => splitPayment(100, 1.25)).toThrow(RangeError);
  });
});

describe('dunnableMinor', () => {
  it('is the balance less open disputed amounts', () => {
    expect(dunnableMinor(120000, 20000)).toBe(100000);
    expect(dunnableMinor(120000, 0)).toBe(120000);
  });

  it('never goes below zero', () => {
    expect(dunnableMinor(20000, 20000)).toBe(0);
    expect(dunnableMinor(10000, 20000)).toBe(0);
  });

  it('refuses invalid amounts', () => {
    expect(() => dunnableMinor(100, -1)).toThrow(RangeError);
    expect(() => dunnableMinor(Number.NaN, 0)).toThrow(RangeError);
  });
});

describe('reconcile', () => {
  it('balances when payments, credit notes and write-offs settle invoice and fees', () => {
    const result = reconcile(
      totals({ feesMinor: 1500, appliedPaymentsMinor: 100000, creditNotesMinor: 20000, writtenOffMinor: 1500 }),
    );
    expect(result.balanced).toBe(true);
    expect(result.differenceMinor).toBe(0);
    expect(result.explanation).toBe(
      'Balanced: invoice 120000 + fees 1500 = 121500 equals payments 100000 + credit notes 20000 + write-offs 1500 = 121500.',
    );
  });

  it('explains an under-settled receivable with the open difference', () => {
    const result = reconcile(totals({ feesMinor: 1500, appliedPaymentsMinor: 100000 }));
    expect(result.balanced).toBe(false);
    expect(result.differenceMinor).toBe(21500);
    expect(result.explanation).toBe(
      'Not balanced: invoice 120000 + fees 1500 = 121500 but payments 100000 + credit notes 0 + write-offs 0 = 100000; 21500 is still open.',
    );
    expect(result.explanation).not.toContain('\n');
  });

  it('explains an over-settled receivable with a negative difference', () => {
    const result = reconcile(totals({ appliedPaymentsMinor: 120000, creditNotesMinor: 300 }));
    expect(result.balanced).toBe(false);
    expect(result.differenceMinor).toBe(-300);
    expect(result.explanation).toContain('settled 300 more than was charged');
  });

  it('refuses invalid amounts', () => {
    expect(() => reconcile(totals({ writtenOffMinor: -1 }))).toThrow(RangeError);
  });
});

describe('isSamePayment', () => {
  const first = { amountMinor: 18_000, currency: 'USD', method: 'bank_transfer' };
  it('is the same payment with the same amount, currency and method', () => {
    expect(isSamePayment(first, { ...first })).toBe(true);
  });
  it.each([
    ['another amount', { amountMinor: 18_001 }],
    ['another currency', { currency: 'EUR' }],
    ['another method', { method: 'card' }],
  ])('is another payment with %s', (_what, change) => {
    expect(isSamePayment(first, { ...first, ...change })).toBe(false);
  });
});

describe('settlesBalance', () => {
  it('holds for a payment of at least a positive balance', () => {
    expect(settlesBalance(10_000, 10_000)).toBe(true);
    expect(settlesBalance(10_000, 12_000)).toBe(true);
    expect(settlesBalance(10_000, 9_999)).toBe(false);
  });

  it('never holds when nothing is owed', () => {
    expect(settlesBalance(0, 0)).toBe(false);
    expect(settlesBalance(0, 5_000)).toBe(false);
  });
});

describe('creditNoteMinor', () => {
  it('credits the whole disputed amount unless finance accepted less', () => {
    expect(creditNoteMinor(30_000, undefined, 180_000)).toBe(30_000);
    expect(creditNoteMinor(30_000, 25_000, 180_000)).toBe(25_000);
  });

  it('never credits more than is still owed', () => {
    expect(creditNoteMinor(30_000, undefined, 10_000)).toBe(10_000);
    expect(creditNoteMinor(30_000, 25_000, 0)).toBe(0);
  });

  it('refuses amounts that are not minor units', () => {
    expect(() => creditNoteMinor(30_000, 1.5, 180_000)).toThrow(RangeError);
  });
});

describe('paymentIdentity', () => {
  const reported = { paymentReference: 'pay-1', amountMinor: 18_000, currency: 'USD', method: 'bank_transfer' };
  const recorded = { orderId: 'ord-1', amountMinor: 18_000, currency: 'USD', method: 'bank_transfer' };

  it('is new when nothing was recorded under the reference', () => {
    expect(paymentIdentity(undefined, 'ord-1', reported)).toEqual({ kind: 'new' });
  });

  it('is a repeat when this order recorded the same payment under it', () => {
    expect(paymentIdentity(recorded, 'ord-1', reported)).toEqual({ kind: 'repeat' });
  });

  it.each([
    ['another amount', { amountMinor: 18_001 }],
    ['another currency', { currency: 'EUR' }],
    ['another method', { method: 'card' }],
  ])('is a different payment under a taken reference with %s, worded after the first', (_what, change) => {
    expect(paymentIdentity(recorded, 'ord-1', { ...reported, ...change })).toEqual({
      kind: 'different-payment',
      message: 'payment reference pay-1 was already used for 18000 USD by bank_transfer',
      apiMessage: 'Payment reference pay-1 was already used for 18000 USD by bank_transfer.',
    });
  });

  it("is another order's reference whatever the details, and only the engine's wording names that order", () => {
    for (const again of [reported, { ...reported, amountMinor: 1 }]) {
      expect(paymentIdentity(recorded, 'ord-2', again)).toEqual({
        kind: 'other-order',
        message: 'payment reference pay-1 was already recorded for order ord-1',
        apiMessage: 'Payment reference pay-1 was already applied to another order.',
      });
    }
  });
});
