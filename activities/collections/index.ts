import type { Database } from '../../db/client.js';
import { chargeFee, getReceivableTotals } from '../../db/queries/billing.js';
import {
  type DisputeResolution,
  type NewDispute,
  recordDispute,
  recordDunningEvent,
  resolveDispute,
} from '../../db/queries/collections.js';
import { enqueueNotification } from '../../db/queries/notifications.js';
import { updateOrderReadModel } from '../../db/queries/orders.js';
import type { DunningStep } from '../../workflows/order/rules/dunning.js';
import { feeEntry } from '../../workflows/order/rules/journal.js';
import { formatMoney } from '../../workflows/order/rules/money.js';
import { balanceMinor, dunnableMinor } from '../../workflows/order/rules/receivable.js';
import { dunnedRow } from '../../workflows/order/view.js';
import { stepKey } from '../context.js';
import { post } from '../billing/index.js';
import { resolveRecipient } from '../notifications/index.js';

export function createCollectionsActivities(deps: { db: Database }) {
  const { db } = deps;
  return {
    // Activity inputs travel as JSON, so their times are ISO strings.
    async recordDispute(input: Omit<NewDispute, 'openedAt'> & { openedAt: string }): Promise<{ created: boolean }> {
      return recordDispute(db, { ...input, openedAt: new Date(input.openedAt) });
    },

    async resolveDispute(input: Omit<DisputeResolution, 'resolvedAt'> & { resolvedAt: string }): Promise<void> {
      await resolveDispute(db, { ...input, resolvedAt: new Date(input.resolvedAt) });
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
    }): Promise<{ sent: boolean; amountQuotedMinor: number; feeMinor: number }> {
      const { step } = input;
      const sentAt = new Date(input.sentAt);
      const before = dunnableMinor(balanceMinor(await getReceivableTotals(db, input.invoiceNumber)), input.openDisputedMinor);
      if (before === 0) return { sent: false, amountQuotedMinor: 0, feeMinor: 0 };
      if (step.feeMinor > 0) {
        await chargeFee(db, { invoiceNumber: input.invoiceNumber, level: step.level, amountMinor: step.feeMinor, chargedAt: sentAt });
        await post(db, `fee:${step.key}`, feeEntry(step.feeMinor), {
          orderId: input.orderId,
          invoiceNumber: input.invoiceNumber,
          currency: input.currency,
          postedAt: sentAt,
        });
      }
      const amountQuotedMinor = dunnableMinor(
        balanceMinor(await getReceivableTotals(db, input.invoiceNumber)),
        input.openDisputedMinor,
      );
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
      await updateOrderReadModel(db, input.orderId, dunnedRow(step, amountQuotedMinor));
      return { sent: true, amountQuotedMinor, feeMinor: step.feeMinor };
    },
  };
}
