// Journal rules: the double-entry postings for each receivable event. Every builder checks its
// own output, so an unbalanced or empty entry can never reach the ledger.
import { assertMinor } from './money.js';

export type Account =
  | 'accounts_receivable'
  | 'revenue'
  | 'tax_payable'
  | 'cash'
  | 'customer_credit'
  | 'fee_income'
  | 'bad_debt_expense';

export interface JournalLine {
  account: Account;
  debitMinor: number;
  creditMinor: number;
}

export interface JournalDraft {
  kind: 'invoice' | 'payment' | 'fee' | 'credit_note' | 'write_off';
  lines: JournalLine[];
}

function isAmount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Debits equal credits. BigInt sums so that many large lines cannot round into equality. */
export function isBalanced(lines: JournalLine[]): boolean {
  let debits = 0n;
  let credits = 0n;
  for (const line of lines) {
    if (!isAmount(line.debitMinor) || !isAmount(line.creditMinor)) return false;
    debits += BigInt(line.debitMinor);
    credits += BigInt(line.creditMinor);
  }
  return debits === credits;
}

function dr(account: Account, amountMinor: number): JournalLine {
  return { account, debitMinor: amountMinor, creditMinor: 0 };
}

function cr(account: Account, amountMinor: number): JournalLine {
  return { account, debitMinor: 0, creditMinor: amountMinor };
}

/** Drops zero lines, then refuses anything that is not a proper, balanced, non-empty entry. */
function entry(kind: JournalDraft['kind'], candidate: JournalLine[]): JournalDraft {
  for (const line of candidate) {
    assertMinor(line.debitMinor, `${kind} entry debit on ${line.account}`);
    assertMinor(line.creditMinor, `${kind} entry credit on ${line.account}`);
  }
  const lines = candidate.filter((line) => line.debitMinor > 0 || line.creditMinor > 0);
  if (lines.length === 0) throw new RangeError(`${kind} entry has no non-zero amount`);
  for (const line of lines) {
    if (line.debitMinor > 0 && line.creditMinor > 0) {
      throw new RangeError(`${kind} entry line on ${line.account} has both a debit and a credit`);
    }
  }
  if (!isBalanced(lines)) throw new RangeError(`${kind} entry does not balance`);
  return { kind, lines };
}

function sum(a: number, b: number, what: string): number {
  assertMinor(a, what);
  assertMinor(b, what);
  const total = a + b;
  if (!Number.isSafeInteger(total)) throw new RangeError(`${what} exceeds the safe integer range`);
  return total;
}

/**
 * Dr accounts receivable (total); Cr revenue (subtotal); Cr tax payable (tax). An invoice for
 * nothing (free samples, promotional items) moves no money: it has no entry, and this is null.
 */
export function invoiceEntry(subtotalMinor: number, taxMinor: number): JournalDraft | null {
  const total = sum(subtotalMinor, taxMinor, 'invoice amount');
  if (total === 0) return null;
  return entry('invoice', [dr('accounts_receivable', total), cr('revenue', subtotalMinor), cr('tax_payable', taxMinor)]);
}

/** Dr cash (all received); Cr accounts receivable (applied); Cr customer credit (unapplied). */
export function paymentEntry(appliedMinor: number, unappliedMinor: number): JournalDraft {
  const received = sum(appliedMinor, unappliedMinor, 'payment amount');
  return entry('payment', [
    dr('cash', received),
    cr('accounts_receivable', appliedMinor),
    cr('customer_credit', unappliedMinor),
  ]);
}

/** A dunning fee is a receivable of its own: Dr accounts receivable; Cr fee income. */
export function feeEntry(feeMinor: number): JournalDraft {
  return entry('fee', [dr('accounts_receivable', feeMinor), cr('fee_income', feeMinor)]);
}

/** Dr revenue; Cr accounts receivable. */
export function creditNoteEntry(amountMinor: number): JournalDraft {
  return entry('credit_note', [dr('revenue', amountMinor), cr('accounts_receivable', amountMinor)]);
}

/** Dr bad-debt expense; Cr accounts receivable. */
export function writeOffEntry(amountMinor: number): JournalDraft {
  return entry('write_off', [dr('bad_debt_expense', amountMinor), cr('accounts_receivable', amountMinor)]);
}
