import type { Database, Db } from '../../db/client.js';
import { closeInvoice, getReceivableTotals, issueInvoice, lockInvoice } from '../../db/queries/billing.js';
import { getWriteOff, recordWriteOff } from '../../db/queries/collections.js';
import { postJournalEntry, trialBalance } from '../../db/queries/ledger.js';
import { enqueueNotification } from '../../db/queries/notifications.js';
import type { InvoiceState } from '../../workflows/order/contract.js';
import type { InvoiceDraft } from '../../workflows/order/rules/invoice.js';
import { invoiceEntry, type JournalDraft, writeOffEntry } from '../../workflows/order/rules/journal.js';
import { formatMoney } from '../../workflows/order/rules/money.js';
import { type BooksBalance, balanceMinor, booksBalance, reconcile } from '../../workflows/order/rules/receivable.js';
import { stepKey } from '../context.js';
import { resolveRecipient } from '../notifications/index.js';

export interface IssueInvoiceInput {
  orderId: string;
  customerId: string;
  currency: string;
  series: string;
  issuedAt: string;
  dueDate: string;
  draft: InvoiceDraft;
}

export async function post(
  db: Db,
  step: string,
  entry: JournalDraft,
  ref: { orderId: string; invoiceNumber: string | null; currency: string; postedAt: Date },
): Promise<{ created: boolean }> {
  return postJournalEntry(db, { entryKey: stepKey(`journal:${step}`), kind: entry.kind, ...ref, lines: entry.lines });
}

/**
 * The invoice, its journal entry and the notice to the customer, as one step. Each write is idempotent on its own key, so a retry after a partial run completes
 * what is missing and repeats nothing (the invoice number is taken once per order).
 */
export async function issueOrderInvoice(db: Database, input: IssueInvoiceInput): Promise<InvoiceState> {
  const issuedAt = new Date(input.issuedAt);
  const { invoiceNumber } = await issueInvoice(db, {
    orderId: input.orderId,
    customerId: input.customerId,
    currency: input.currency,
    series: input.series,
    issuedAt,
    dueDate: input.dueDate,
    lines: input.draft.lines,
    subtotalMinor: input.draft.subtotalMinor,
    taxMinor: input.draft.taxMinor,
    totalMinor: input.draft.totalMinor,
  });
  // An invoice for nothing posts no entry: the books hold no receivable for it.
  const entry = invoiceEntry(input.draft.subtotalMinor, input.draft.taxMinor);
  if (entry) {
    await post(db, 'invoice', entry, { orderId: input.orderId, invoiceNumber, currency: input.currency, postedAt: issuedAt });
  }
  await enqueueNotification(db, {
    notificationKey: stepKey('notice:invoice'),
    template: 'invoice_issued',
    channel: 'email',
    recipient: await resolveRecipient(db, 'customer', input.customerId),
    subjectType: 'order',
    subjectId: input.orderId,
    data: {
      invoiceNumber,
      dueDate: input.dueDate,
      totalMinor: input.draft.totalMinor,
      currency: input.currency,
      total: formatMoney(input.draft.totalMinor, input.currency),
    },
  });
  return { invoiceNumber, issuedAt: input.issuedAt, dueDate: input.dueDate, ...input.draft };
}

export interface ReconcileInput {
  orderId: string;
  invoiceNumber: string;
  writtenOff: boolean;
}

export interface ReconciliationProof {
  balanced: boolean;
  differenceMinor: number;
  explanation: string;
}

/**
 * Proves from the books, not from the workflow's own figures, that invoice total + fees
 * = applied payments + credit notes + write-offs and that the order's receivable nets to
 * zero in the ledger. Only then is the invoice closed.
 */
export async function reconcileOrderBooks(db: Database, input: ReconcileInput): Promise<ReconciliationProof> {
  const totals = await getReceivableTotals(db, input.invoiceNumber);
  const proof = reconcile(totals);
  const ledger = await trialBalance(db, input.orderId);
  const receivable = ledger.byAccount.accounts_receivable ?? 0;
  if (!proof.balanced || receivable !== 0 || ledger.debitsMinor !== ledger.creditsMinor) {
    return {
      balanced: false,
      differenceMinor: proof.differenceMinor || receivable,
      explanation: `${proof.explanation}; ledger receivable ${receivable}, debits ${ledger.debitsMinor}, credits ${ledger.creditsMinor}`,
    };
  }
  await closeInvoice(db, input.invoiceNumber, input.writtenOff ? 'written_off' : 'closed', new Date());
  return proof;
}

export function createBillingActivities(deps: { db: Database }) {
  const { db } = deps;
  return {
    /** The order's invoice, once it has shipped in full or its remainder was cancelled. */
    issueInvoice: (input: IssueInvoiceInput): Promise<InvoiceState> => issueOrderInvoice(db, input),

    /**
     * Writes off what the books still hold as owed, in one transaction with the invoice row
     * locked: paid meanwhile, there is nothing to write off and nothing is posted. A retry
     * answers with the write-off first recorded.
     */
    async writeOff(input: {
      orderId: string;
      invoiceNumber: string;
      approvedBy: string;
      reason: string;
      currency: string;
      postedAt: string;
    }): Promise<{ amountMinor: number; books: BooksBalance }> {
      return db.transaction(async (tx) => {
        await lockInvoice(tx, input.invoiceNumber);
        const recorded = await getWriteOff(tx, input.invoiceNumber);
        if (recorded) return { amountMinor: recorded.amountMinor, books: booksBalance(await getReceivableTotals(tx, input.invoiceNumber)) };
        const before = booksBalance(await getReceivableTotals(tx, input.invoiceNumber));
        const amountMinor = before.balanceMinor;
        if (amountMinor === 0) return { amountMinor, books: before };
        const postedAt = new Date(input.postedAt);
        await recordWriteOff(tx, {
          invoiceNumber: input.invoiceNumber,
          amountMinor,
          approvedBy: input.approvedBy,
          reason: input.reason,
          postedAt,
        });
        await post(tx, 'write-off', writeOffEntry(amountMinor), {
          orderId: input.orderId,
          invoiceNumber: input.invoiceNumber,
          currency: input.currency,
          postedAt,
        });
        return { amountMinor, books: booksBalance(await getReceivableTotals(tx, input.invoiceNumber)) };
      });
    },

    /** Closes the order's books once they balance. */
    reconcileOrder: (input: ReconcileInput): Promise<ReconciliationProof> => reconcileOrderBooks(db, input),
  };
}
