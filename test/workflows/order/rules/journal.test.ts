import { describe, expect, it } from 'vitest';
import {
  type JournalDraft,
  type JournalLine,
  creditNoteEntry,
  feeEntry,
  invoiceEntry,
  isBalanced,
  paymentEntry,
  writeOffEntry,
} from '../../../../workflows/order/rules/journal.js';

function expectWellFormed(draft: JournalDraft): void {
  expect(isBalanced(draft.lines)).toBe(true);
  expect(draft.lines.length).toBeGreaterThanOrEqual(2);
  for (const line of draft.lines) {
    expect(Number.isSafeInteger(line.debitMinor) && Number.isSafeInteger(line.creditMinor)).toBe(true);
    expect((line.debitMinor > 0) !== (line.creditMinor > 0)).toBe(true);
  }
}

describe('isBalanced', () => {
  it('compares total debits and credits', () => {
    expect(isBalanced([
      { account: 'cash', debitMinor: 100, creditMinor: 0 },
      { account: 'accounts_receivable', debitMinor: 0, creditMinor: 60 },
      { account: 'customer_credit', debitMinor: 0, creditMinor: 40 },
    ])).toBe(true);
    expect(isBalanced([
      { account: 'cash', debitMinor: 100, creditMinor: 0 },
      { account: 'accounts_receivable', debitMinor: 0, creditMinor: 99 },
    ])).toBe(false);
  });

  it('is false for invalid amounts, and exact beyond 2^53 in total', () => {
    expect(isBalanced([
      { account: 'cash', debitMinor: 1.5, creditMinor: 0 },
      { account: 'accounts_receivable', debitMinor: 0, creditMinor: 1.5 },
    ])).toBe(false);
    expect(isBalanced([
      { account: 'cash', debitMinor: -5, creditMinor: 0 },
      { account: 'accounts_receivable', debitMinor: 0, creditMinor: -5 },
    ])).toBe(false);
    const max = Number.MAX_SAFE_INTEGER;
    // In floats max + max + 1 rounds to max + max + 0, which would pass as balanced.
    const lines: JournalLine[] = [
      { account: 'cash', debitMinor: max, creditMinor: 0 },
      { account: 'cash', debitMinor: max, creditMinor: 0 },
      { account: 'cash', debitMinor: 1, creditMinor: 0 },
      { account: 'accounts_receivable', debitMinor: 0, creditMinor: max },
      { account: 'accounts_receivable', debitMinor: 0, creditMinor: max },
    ];
    expect(isBalanced(lines)).toBe(false);
  });
});

describe('invoiceEntry', () => {
  it('debits AR with the total and credits revenue and tax', () => {
    const draft = invoiceEntry(100000, 20000)!;
    expect(draft).toEqual({
      kind: 'invoice',
      lines: [
        { account: 'accounts_receivable', debitMinor: 120000, creditMinor: 0 },
        { account: 'revenue', debitMinor: 0, creditMinor: 100000 },
        { account: 'tax_payable', debitMinor: 0, creditMinor: 20000 },
      ],
    });
    expectWellFormed(draft);
  });

  it('omits a zero tax line', () => {
    const draft = invoiceEntry(5000, 0)!;
    expect(draft.lines.map((l) => l.account)).toEqual(['accounts_receivable', 'revenue']);
    expectWellFormed(draft);
  });

  it('posts nothing for an invoice of nothing (free samples): no entry, not an error', () => {
    expect(invoiceEntry(0, 0)).toBeNull();
  });

  it('throws on an invalid entry', () => {
    expect(() => invoiceEntry(-1, 1)).toThrow(RangeError);
    expect(() => invoiceEntry(100.5, 0)).toThrow(RangeError);
    expect(() => invoiceEntry(Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError);
  });
});

describe('paymentEntry', () => {
  it('debits cash with all received and credits AR and customer credit', () => {
    const draft = paymentEntry(120000, 5000);
    expect(draft).toEqual({
      kind: 'payment',
      lines: [
        { account: 'cash', debitMinor: 125000, creditMinor: 0 },
        { account: 'accounts_receivable', debitMinor: 0, creditMinor: 120000 },
        { account: 'customer_credit', debitMinor: 0, creditMinor: 5000 },
      ],
    });
    expectWellFormed(draft);
  });

  it('omits the side that is zero', () => {
    expect(paymentEntry(50000, 0).lines.map((l) => l.account)).toEqual(['cash', 'accounts_receivable']);
    expect(paymentEntry(0, 700).lines.map((l) => l.account)).toEqual(['cash', 'customer_credit']);
    expectWellFormed(paymentEntry(50000, 0));
    expectWellFormed(paymentEntry(0, 700));
  });

  it('throws on an all-zero or invalid entry', () => {
    expect(() => paymentEntry(0, 0)).toThrow(RangeError);
    expect(() => paymentEntry(100, -1)).toThrow(RangeError);
  });
});

describe('single-amount entries', () => {
  it('posts a fee: Dr AR, Cr fee income', () => {
    const draft = feeEntry(1500);
    expect(draft).toEqual({
      kind: 'fee',
      lines: [
        { account: 'accounts_receivable', debitMinor: 1500, creditMinor: 0 },
        { account: 'fee_income', debitMinor: 0, creditMinor: 1500 },
      ],
    });
    expectWellFormed(draft);
  });

  it('posts a credit note: Dr revenue, Cr AR', () => {
    const draft = creditNoteEntry(20000);
    expect(draft).toEqual({
      kind: 'credit_note',
      lines: [
        { account: 'revenue', debitMinor: 20000, creditMinor: 0 },
        { account: 'accounts_receivable', debitMinor: 0, creditMinor: 20000 },
      ],
    });
    expectWellFormed(draft);
  });

  it('posts a write-off: Dr bad-debt expense, Cr AR', () => {
    const draft = writeOffEntry(999);
    expect(draft).toEqual({
      kind: 'write_off',
      lines: [
        { account: 'bad_debt_expense', debitMinor: 999, creditMinor: 0 },
        { account: 'accounts_receivable', debitMinor: 0, creditMinor: 999 },
      ],
    });
    expectWellFormed(draft);
  });

  it('throws RangeError on zero, negative or fractional amounts', () => {
    for (const build of [feeEntry, creditNoteEntry, writeOffEntry]) {
      expect(() => build(0)).toThrow(RangeError);
      expect(() => build(-100)).toThrow(RangeError);
      expect(() => build(1.5)).toThrow(RangeError);
    }
  });
});

describe('a whole order in the ledger', () => {
  it('leaves AR at zero after invoice, fee, payments, credit note and write-off', () => {
    const drafts = [
      invoiceEntry(100000, 20000)!,
      feeEntry(1500),
      paymentEntry(80000, 0),
      creditNoteEntry(20000),
      paymentEntry(21000, 3000),
      writeOffEntry(500),
    ];
    const all = drafts.flatMap((d) => d.lines);
    expect(isBalanced(all)).toBe(true);
    const ar = all
      .filter((l) => l.account === 'accounts_receivable')
      .reduce((sum, l) => sum + l.debitMinor - l.creditMinor, 0);
    expect(ar).toBe(0);
  });
});
