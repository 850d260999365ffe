import type { Database } from '../../db/client.js';
import { closeInvoice, getReceivableTotals, issueCreditNote, issueInvoice } from '../../db/queries/billing.js';
import { recordWriteOff } from '../../db/queries/collections.js';
import { postJournalEntry, trialBalance } from '../../db/queries/ledger.js';
import { enqueueNotification } from '../../db/queries/notifications.js';
import { updateOrderReadModel } from '../../db/queries/orders.js';
import type { InvoiceState, OrderView } from '../../workflows/order/contract.js';
import type { InvoiceDraft } from '../../workflows/order/rules/invoice.js';
import { creditNoteEntry, invoiceEntry, type JournalDraft, writeOffEntry } from '../../workflows/order/rules/journal.js';
import { formatMoney } from '../../workflows/order/rules/money.js';
import { reconcile } from '../../workflows/order/rules/receivable.js';
import { closedRow, invoicedRow } from '../../workflows/order/view.js';
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
  db: Database,
  step: string,
  entry: JournalDraft,
  ref: { orderId: string; invoiceNumber: string | null; currency: string; postedAt: Date },
): Promise<{ created: boolean }> {
  return postJournalEntry(db, { entryKey: stepKey(`journal:${step}`), kind: entry.kind, ...ref, lines: entry.lines });
}

/**
 * The invoice, its journal entry, the notice to the customer and the read model, as one
 * step. Each write is idempotent on its own key, so a retry after a partial run completes
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
  await updateOrderReadModel(db, input.orderId, invoicedRow({ invoiceNumber, dueDate: input.dueDate, totalMinor: input.draft.totalMinor }));
  return { invoiceNumber, issuedAt: input.issuedAt, dueDate: input.dueDate, ...input.draft };
}

export interface ReconcileInput {
  orderId: string;
  invoiceNumber: string;
  writtenOff: boolean;
  /** The order's state as it closes, kept with the read model when the books balance. */
  finalView?: OrderView;
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
  const closedAt = new Date();
  await closeInvoice(db, input.invoiceNumber, input.writtenOff ? 'written_off' : 'closed', closedAt);
  await updateOrderReadModel(db, input.orderId, {
    ...closedRow(),
    closedAt,
    ...(input.finalView ? { finalView: input.finalView } : {}),
  });
  return proof;
}

export function createBillingActivities(deps: { db: Database }) {
  const { db } = deps;
  return {
    /** The order's invoice, once it has shipped in full or its remainder was cancelled. */
    issueInvoice: (input: IssueInvoiceInput): Promise<InvoiceState> => issueOrderInvoice(db, input),

    async issueCreditNote(input: {
      orderId: string;
      invoiceNumber: string;
      disputeId: string;
      amountMinor: number;
      reason: string;
      currency: string;
      issuedAt: string;
    }): Promise<{ creditNoteId: string }> {
      const creditNoteId = `CN-${input.invoiceNumber}-${input.disputeId}`;
      const issuedAt = new Date(input.issuedAt);
      await issueCreditNote(db, {
        creditNoteId,
        invoiceNumber: input.invoiceNumber,
        disputeId: input.disputeId,
        amountMinor: input.amountMinor,
        reason: input.reason,
        issuedAt,
      });
      await post(db, `credit-note:${input.disputeId}`, creditNoteEntry(input.amountMinor), {
        orderId: input.orderId,
        invoiceNumber: input.invoiceNumber,
        currency: input.currency,
        postedAt: issuedAt,
      });
      return { creditNoteId };
    },

    async writeOff(input: {
      orderId: string;
      invoiceNumber: string;
      amountMinor: number;
      approvedBy: string;
      reason: string;
      currency: string;
      postedAt: string;
    }): Promise<void> {
      const postedAt = new Date(input.postedAt);
      await recordWriteOff(db, {
        invoiceNumber: input.invoiceNumber,
        amountMinor: input.amountMinor,
        approvedBy: input.approvedBy,
        reason: input.reason,
        postedAt,
      });
      await post(db, 'write-off', writeOffEntry(input.amountMinor), {
        orderId: input.orderId,
        invoiceNumber: input.invoiceNumber,
        currency: input.currency,
        postedAt,
      });
    },

    /** Closes the order's books once they balance. */
    reconcileOrder: (input: ReconcileInput): Promise<ReconciliationProof> => reconcileOrderBooks(db, input),
  };
}
