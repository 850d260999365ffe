import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../../db/client.js';
import { chargeFee, getReceivableTotals, issueCreditNote, lockInvoice } from '../../db/queries/billing.js';
import { type NewDispute, getDispute, recordDispute, recordDunningEvent, resolveDispute } from '../../db/queries/collections.js';
import { enqueueNotification } from '../../db/queries/notifications.js';
import type { DunningStep } from '../../workflows/order/rules/dunning.js';
import { creditNoteEntry, feeEntry } from '../../workflows/order/rules/journal.js';
import { formatMoney } from '../../workflows/order/rules/money.js';
import { type BooksBalance, booksBalance, creditNoteMinor, dunnableMinor } from '../../workflows/order/rules/receivable.js';
import { stepKey } from '../context.js';
import { post } from '../billing/index.js';
import { resolveRecipient } from '../notifications/index.js';

/** A dispute's resolution as the books hold it. */
export interface DisputeOutcome {
  outcome: 'accepted' | 'rejected';
  acceptedMinor: number;
  creditNoteId: string | null;
  /** The invoice's balance as the books hold it once resolved. */
  books: BooksBalance;
}

export function createCollectionsActivities(deps: { db: Database }) {
  const { db } = deps;
  return {
    // Activity inputs travel as JSON, so their times are ISO strings.
    async recordDispute(input: Omit<NewDispute, 'openedAt'> & { openedAt: string }): Promise<{ created: boolean }> {
      return recordDispute(db, { ...input, openedAt: new Date(input.openedAt) });
    },

    /**
     * Resolves an open dispute in one transaction with the invoice row locked: accepted, a
     * credit note for the accepted part, never more than the books hold as owed, and its
     * journal entry. A dispute already resolved keeps its first resolution: the answer is what
     * the books hold, so a retry or a second resolution never credits twice or differently.
     */
    async resolveDispute(input: {
      orderId: string;
      invoiceNumber: string;
      disputeId: string;
      outcome: 'accepted' | 'rejected';
      /** Accepted only: what finance accepts; the disputed amount when not given. */
      acceptedMinor?: number;
      currency: string;
      resolvedBy: string;
      resolvedAt: string;
      comment: string | null;
    }): Promise<DisputeOutcome> {
      const creditNoteId = `CN-${input.invoiceNumber}-${input.disputeId}`;
      return db.transaction(async (tx) => {
        await lockInvoice(tx, input.invoiceNumber);
        const dispute = await getDispute(tx, input.orderId, input.disputeId);
        if (!dispute) throw ApplicationFailure.nonRetryable(`no dispute ${input.disputeId} on order ${input.orderId}`, 'BrokenInvariant');
        const before = booksBalance(await getReceivableTotals(tx, input.invoiceNumber));
        if (dispute.status !== 'open') {
          const accepted = dispute.acceptedMinor;
          return { outcome: dispute.status, acceptedMinor: accepted, creditNoteId: accepted > 0 ? creditNoteId : null, books: before };
        }
        const acceptedMinor = input.outcome === 'accepted' ? creditNoteMinor(dispute.amountMinor, input.acceptedMinor, before.balanceMinor) : 0;
        const resolvedAt = new Date(input.resolvedAt);
        if (acceptedMinor > 0) {
          await issueCreditNote(tx, {
            creditNoteId,
            invoiceNumber: input.invoiceNumber,
            disputeId: input.disputeId,
            amountMinor: acceptedMinor,
            reason: `dispute ${input.disputeId} accepted: ${dispute.reason}`,
            issuedAt: resolvedAt,
          });
          await post(tx, `credit-note:${input.disputeId}`, creditNoteEntry(acceptedMinor), {
            orderId: input.orderId,
            invoiceNumber: input.invoiceNumber,
            currency: input.currency,
            postedAt: resolvedAt,
          });
        }
        await resolveDispute(tx, {
          orderId: input.orderId,
          disputeId: input.disputeId,
          status: input.outcome,
          acceptedMinor,
          resolvedBy: input.resolvedBy,
          resolvedAt,
          comment: input.comment,
        });
        const books = booksBalance(await getReceivableTotals(tx, input.invoiceNumber));
        return { outcome: input.outcome, acceptedMinor, creditNoteId: acceptedMinor > 0 ? creditNoteId : null, books };
      });
    },

    /**
     * One dunning step, exactly once: the fee (a receivable of its own), then the notice
     * quoting the net amount open at this moment, read from the books rather than from the
     * workflow's memory, less what is under open dispute. Nothing open: no notice.
     */
    async sendDunningNotice(input: {
      orderId: string;
      customerId: string;
      invoiceNumber: string;
      currency: string;
      dueDate: string;
      step: DunningStep;
      openDisputedMinor: number;
      sentAt: string;
    }): Promise<{ sent: boolean; amountQuotedMinor: number; feeMinor: number; books: BooksBalance }> {
      const { step } = input;
      const sentAt = new Date(input.sentAt);
      const before = booksBalance(await getReceivableTotals(db, input.invoiceNumber));
      if (dunnableMinor(before.balanceMinor, input.openDisputedMinor) === 0) return { sent: false, amountQuotedMinor: 0, feeMinor: 0, books: before };
      if (step.feeMinor > 0) {
        await chargeFee(db, { invoiceNumber: input.invoiceNumber, level: step.level, amountMinor: step.feeMinor, chargedAt: sentAt });
        await post(db, `fee:${step.key}`, feeEntry(step.feeMinor), {
          orderId: input.orderId,
          invoiceNumber: input.invoiceNumber,
          currency: input.currency,
          postedAt: sentAt,
        });
      }
      const books = booksBalance(await getReceivableTotals(db, input.invoiceNumber));
      const amountQuotedMinor = dunnableMinor(books.balanceMinor, input.openDisputedMinor);
      await enqueueNotification(db, {
        notificationKey: stepKey(`notice:dunning:${step.key}`),
        template: step.template,
        channel: step.channel,
        recipient: step.kind === 'collections' ? 'collections' : await resolveRecipient(db, 'customer', input.customerId),
        subjectType: 'order',
        subjectId: input.orderId,
        data: {
          invoiceNumber: input.invoiceNumber,
          dueDate: input.dueDate,
          level: step.level,
          amountDueMinor: amountQuotedMinor,
          feeMinor: step.feeMinor,
          currency: input.currency,
          amountDue: formatMoney(amountQuotedMinor, input.currency),
        },
      });
      await recordDunningEvent(db, {
        invoiceNumber: input.invoiceNumber,
        stepKey: step.key,
        level: step.level,
        template: step.template,
        channel: step.channel,
        amountQuotedMinor,
        feeMinor: step.feeMinor,
        sentAt,
      });
      return { sent: true, amountQuotedMinor, feeMinor: step.feeMinor, books };
    },
  };
}
