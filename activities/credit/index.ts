import type { Database } from '../../db/client.js';
import { getCreditProfile } from '../../db/queries/orders.js';
import type { CreditPolicy } from '../../workflows/order/contract.js';
import { type CreditAssessment, assessCredit } from '../../workflows/order/rules/credit.js';
import { utcDate } from '../../workflows/order/rules/invoice.js';

export function createCreditActivities(deps: { db: Database }) {
  return {
    /** Reads the customer's exposure now and applies the order's credit policy to it. */
    async assessCredit(input: {
      orderId: string;
      customerId: string;
      orderTotalMinor: number;
      policy: CreditPolicy;
    }): Promise<CreditAssessment> {
      const today = utcDate(new Date());
      const profile = await getCreditProfile(deps.db, input.customerId, input.orderId, today);
      if (!profile) {
        return {
          outcome: 'rejected',
          exposureMinor: input.orderTotalMinor,
          limitMinor: 0,
          reasons: [`customer ${input.customerId} is not known`],
        };
      }
      return assessCredit(profile, input.orderTotalMinor, input.policy);
    },
  };
}
