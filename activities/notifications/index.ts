import type { Database } from '../../db/client.js';
import { getCustomer } from '../../db/queries/customers.js';
import { enqueueNotification } from '../../db/queries/notifications.js';
import { stepKey } from '../context.js';

export interface NotifyInput {
  /** Unique within the workflow: one notice per step, however often this runs. */
  step: string;
  template: string;
  channel: 'email' | 'letter' | 'internal';
  /** 'customer' resolves to the customer's contact; anything else is a team mailbox such as 'finance'. */
  to: 'customer' | 'finance' | 'collections';
  customerId: string;
  subjectType: string;
  subjectId: string;
  data: Record<string, unknown>;
}

export async function resolveRecipient(db: Database, to: NotifyInput['to'], customerId: string): Promise<string> {
  if (to !== 'customer') return to;
  const customer = await getCustomer(db, customerId);
  return customer?.contactEmail ?? `customer:${customerId}`;
}

export function createNotificationActivities(deps: { db: Database }) {
  return {
    /** Puts a notice in the outbox; a sender drains it. Exactly one row per workflow step. */
    async notify(input: NotifyInput): Promise<{ created: boolean }> {
      return enqueueNotification(deps.db, {
        notificationKey: stepKey(`notice:${input.step}`),
        template: input.template,
        channel: input.channel,
        recipient: await resolveRecipient(deps.db, input.to, input.customerId),
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        data: input.data,
      });
    },
  };
}
