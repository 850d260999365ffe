import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { journalEntries, journalLines } from '../schema/ledger.js';

export type JournalKind = (typeof journalEntries.$inferInsert)['kind'];
export type LedgerAccount = (typeof journalLines.$inferInsert)['account'];
export type JournalEntryRow = typeof journalEntries.$inferSelect;
export type JournalLineRow = typeof journalLines.$inferSelect;

export interface NewJournalEntry {
  /** Derived from the business event, e.g. the workflow ID and step; posting it again is a no-op. */
  entryKey: string;
  kind: JournalKind;
  orderId: string;
  invoiceNumber: string | null;
  currency: string;
  postedAt: Date;
  lines: Array<{ account: LedgerAccount; debitMinor: number; creditMinor: number }>;
}

/** Throws unless every line is one-sided with an integer amount and debits equal credits. */
export function assertBalanced(e: Pick<NewJournalEntry, 'entryKey' | 'lines'>): void {
  if (e.lines.length < 2) throw new RangeError(`journal entry ${e.entryKey} needs at least two lines`);
  let debits = 0;
  let credits = 0;
  e.lines.forEach((line, i) => {
    const { debitMinor, creditMinor } = line;
    if (!Number.isSafeInteger(debitMinor) || !Number.isSafeInteger(creditMinor) || debitMinor < 0 || creditMinor < 0) {
      throw new RangeError(`journal entry ${e.entryKey} line ${i + 1}: amounts must be non-negative integers`);
    }
    if (debitMinor > 0 === creditMinor > 0) {
      throw new RangeError(`journal entry ${e.entryKey} line ${i + 1}: exactly one of debit and credit must be positive`);
    }
    debits += debitMinor;
    credits += creditMinor;
  });
  if (!Number.isSafeInteger(debits) || !Number.isSafeInteger(credits)) {
    throw new RangeError(`journal entry ${e.entryKey}: totals exceed the safe integer range`);
  }
  if (debits !== credits) {
    throw new RangeError(`journal entry ${e.entryKey} is unbalanced: debits ${debits}, credits ${credits}`);
  }
}

/**
 * Posts a balanced entry once per entry key, header and lines in one transaction.
 * An unbalanced entry is refused before anything is written.
 */
export async function postJournalEntry(db: Db, e: NewJournalEntry): Promise<{ created: boolean }> {
  assertBalanced(e);
  // One statement, atomic on its own: the entry once per key, and its lines only with it.
  const entry = db.$with('entry').as(
    db
      .insert(journalEntries)
      .values({
        entryKey: e.entryKey,
        kind: e.kind,
        orderId: e.orderId,
        invoiceNumber: e.invoiceNumber,
        currency: e.currency,
        postedAt: e.postedAt,
      })
      .onConflictDoNothing({ target: journalEntries.entryKey })
      .returning({ id: journalEntries.id }),
  );
  const lines = sql.join(
    e.lines.map((line, i) => sql`(${i + 1}::int, ${line.account}::ledger_account, ${line.debitMinor}::bigint, ${line.creditMinor}::bigint)`),
    sql`, `,
  );
  const inserted = await db
    .with(entry)
    .insert(journalLines)
    .select(
      sql`select ${entry.id}, l.line_no, l.account, l.debit, l.credit from ${entry} cross join (values ${lines}) as l(line_no, account, debit, credit)`,
    )
    .returning({ entryId: journalLines.entryId });
  return { created: inserted.length > 0 };
}

export interface TrialBalance {
  debitsMinor: number;
  creditsMinor: number;
  /** Debit − credit per account that has postings; absent accounts are 0. */
  byAccount: Record<string, number>;
}

/** Sums the order's postings per account. Balanced books: debits equal credits. */
export async function trialBalance(db: Db, orderId: string): Promise<TrialBalance> {
  const rows = await db
    .select({
      account: journalLines.account,
      debitsMinor: sql<number>`coalesce(sum(${journalLines.debitMinor}), 0)`.mapWith(Number),
      creditsMinor: sql<number>`coalesce(sum(${journalLines.creditMinor}), 0)`.mapWith(Number),
    })
    .from(journalLines)
    .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
    .where(eq(journalEntries.orderId, orderId))
    .groupBy(journalLines.account)
    .orderBy(asc(journalLines.account));
  const result: TrialBalance = { debitsMinor: 0, creditsMinor: 0, byAccount: {} };
  for (const row of rows) {
    result.debitsMinor += row.debitsMinor;
    result.creditsMinor += row.creditsMinor;
    result.byAccount[row.account] = row.debitsMinor - row.creditsMinor;
  }
  return result;
}

export async function listJournalEntries(
  db: Db,
  orderId: string,
): Promise<Array<JournalEntryRow & { lines: JournalLineRow[] }>> {
  const entries = await db
    .select()
    .from(journalEntries)
    .where(eq(journalEntries.orderId, orderId))
    .orderBy(asc(journalEntries.postedAt), asc(journalEntries.id));
  if (entries.length === 0) return [];
  const lines = await db
    .select()
    .from(journalLines)
    .where(
      inArray(
        journalLines.entryId,
        entries.map((e) => e.id),
      ),
    )
    .orderBy(asc(journalLines.entryId), asc(journalLines.lineNo));
  return entries.map((entry) => ({ ...entry, lines: lines.filter((line) => line.entryId === entry.id) }));
}
