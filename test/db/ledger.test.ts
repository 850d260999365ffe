import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import {
  type LedgerAccount,
  listJournalEntries,
  type NewJournalEntry,
  postJournalEntry,
  trialBalance,
} from '../../db/queries/ledger.js';
import { journalEntries, journalLines } from '../../db/schema/ledger.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { seedCustomer, seedInvoice } from './fixtures.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

async function invoiced() {
  const customerId = await seedCustomer(handle.db);
  const inv = await seedInvoice(handle.db, customerId, { subtotalMinor: 10_000 });
  const entry = (
    key: string,
    kind: NewJournalEntry['kind'],
    lines: NewJournalEntry['lines'],
    postedAt: string,
  ): NewJournalEntry => ({
    entryKey: `order:${inv.orderId}:journal:${key}`,
    kind,
    orderId: inv.orderId,
    invoiceNumber: inv.invoiceNumber,
    currency: 'EUR',
    postedAt: new Date(postedAt),
    lines,
  });
  return { inv, entry };
}

const dr = (account: LedgerAccount, amount: number) => ({ account, debitMinor: amount, creditMinor: 0 });
const cr = (account: LedgerAccount, amount: number) => ({ account, debitMinor: 0, creditMinor: amount });
// Invoice of 10 000 + 20% tax.
const INVOICE_LINES = [dr('accounts_receivable', 12_000), cr('revenue', 10_000), cr('tax_payable', 2_000)];
const INVOICED_AT = '2025-01-01T10:00:00Z';

const entryCount = (orderId: string) => handle.db.$count(journalEntries, eq(journalEntries.orderId, orderId));

describe('postJournalEntry', () => {
  it('posts an entry and its lines once per entry key', async () => {
    const { inv, entry } = await invoiced();
    const e = entry('invoice', 'invoice', INVOICE_LINES, INVOICED_AT);
    expect(await postJournalEntry(handle.db, e)).toEqual({ created: true });
    expect(await postJournalEntry(handle.db, e)).toEqual({ created: false });
    expect(await postJournalEntry(handle.db, { ...e, lines: [dr('cash', 1), cr('revenue', 1)] })).toEqual({ created: false });

    const entries = await listJournalEntries(handle.db, inv.orderId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'invoice', invoiceNumber: inv.invoiceNumber, currency: 'EUR' });
    expect(entries[0]?.lines.map((l) => [l.lineNo, l.account, l.debitMinor, l.creditMinor])).toEqual([
      [1, 'accounts_receivable', 12_000, 0],
      [2, 'revenue', 0, 10_000],
      [3, 'tax_payable', 0, 2_000],
    ]);
  });

  it('posts an entry once when the same posting races itself', async () => {
    const { inv, entry } = await invoiced();
    const e = entry('payment:p1', 'payment', [dr('cash', 500), cr('accounts_receivable', 500)], INVOICED_AT);
    const results = await Promise.all(Array.from({ length: 6 }, () => postJournalEntry(handle.db, e)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await entryCount(inv.orderId)).toBe(1);
  });

  it('refuses an unbalanced or malformed entry before writing anything', async () => {
    const { inv, entry } = await invoiced();
    const refused: Array<[string, NewJournalEntry['lines'], RegExp]> = [
      [
        'unbalanced',
        [dr('accounts_receivable', 12_000), cr('revenue', 10_000)],
        /unbalanced: debits 12000, credits 10000/,
      ],
      ['one line', [dr('cash', 0)], /at least two lines/],
      ['both sides', [{ account: 'cash', debitMinor: 5, creditMinor: 5 }, dr('cash', 0)], /exactly one/],
      ['neither side', [dr('cash', 5), cr('revenue', 5), dr('fee_income', 0)], /exactly one/],
      ['negative', [dr('cash', -5), cr('revenue', -5)], /non-negative integers/],
      ['fraction', [dr('cash', 0.5), cr('revenue', 0.5)], /non-negative integers/],
    ];
    for (const [key, lines, message] of refused) {
      await expect(postJournalEntry(handle.db, entry(key, 'invoice', lines, INVOICED_AT)), key).rejects.toThrow(message);
    }
    expect(await entryCount(inv.orderId)).toBe(0);
  });

  it('refuses one-sided violations in the database itself', async () => {
    const { inv } = await invoiced();
    const [row] = await handle.db
      .insert(journalEntries)
      .values({ entryKey: uniqueId('raw'), kind: 'fee', orderId: inv.orderId, currency: 'EUR' })
      .returning({ id: journalEntries.id });
    const entryId = row!.id;
    for (const [debitMinor, creditMinor] of [
      [0, 0],
      [5, 5],
      [-5, 0],
    ] as const) {
      await expect(
        handle.db.insert(journalLines).values({ entryId, lineNo: 1, account: 'cash', debitMinor, creditMinor }),
      ).rejects.toThrow();
    }
  });
});

describe('trialBalance', () => {
  it('sums each account over the order’s entries and nets receivables to zero once settled', async () => {
    const { inv, entry } = await invoiced();
    expect(await trialBalance(handle.db, inv.orderId)).toEqual({ debitsMinor: 0, creditsMinor: 0, byAccount: {} });

    const posts = [
      entry('invoice', 'invoice', INVOICE_LINES, INVOICED_AT),
      entry('fee:level-1', 'fee', [dr('accounts_receivable', 500), cr('fee_income', 500)], '2025-02-07T09:00:00Z'),
      entry(
        'credit-note:D1',
        'credit_note',
        [dr('revenue', 1_500), cr('accounts_receivable', 1_500)],
        '2025-02-10T09:00:00Z',
      ),
      // Paid 12 000 against an open 11 000: 1 000 becomes customer credit.
      entry(
        'payment:p1',
        'payment',
        [dr('cash', 12_000), cr('accounts_receivable', 11_000), cr('customer_credit', 1_000)],
        '2025-02-15T09:00:00Z',
      ),
    ];
    for (const e of posts) expect(await postJournalEntry(handle.db, e)).toEqual({ created: true });

    const mid = await trialBalance(handle.db, inv.orderId);
    expect(mid).toEqual({
      debitsMinor: 12_000 + 500 + 1_500 + 12_000,
      creditsMinor: 12_000 + 500 + 1_500 + 12_000,
      byAccount: {
        accounts_receivable: 0,
        revenue: -8_500,
        tax_payable: -2_000,
        fee_income: -500,
        cash: 12_000,
        customer_credit: -1_000,
      },
    });
    expect(Object.values(mid.byAccount).reduce((a, b) => a + b, 0)).toBe(0);

    const entries = await listJournalEntries(handle.db, inv.orderId);
    expect(entries.map((e) => e.kind)).toEqual(['invoice', 'fee', 'credit_note', 'payment']);
    expect(entries.every((e) => e.lines.length >= 2)).toBe(true);
  });

  it('shows a write-off moving the receivable to bad-debt expense', async () => {
    const { inv, entry } = await invoiced();
    await postJournalEntry(handle.db, entry('invoice', 'invoice', INVOICE_LINES, INVOICED_AT));
    const writeOff = [dr('bad_debt_expense', 12_000), cr('accounts_receivable', 12_000)];
    await postJournalEntry(handle.db, entry('write-off', 'write_off', writeOff, '2025-06-01T00:00:00Z'));
    const tb = await trialBalance(handle.db, inv.orderId);
    expect(tb.byAccount).toMatchObject({ accounts_receivable: 0, bad_debt_expense: 12_000 });
    expect(tb.debitsMinor).toBe(tb.creditsMinor);
  });
});
