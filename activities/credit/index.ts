import type { Database } from '../../db/client.js';
import { getCreditProfile, recordOrder } from '../../db/queries/orders.js';
import type { CreditPolicy, OrderInput } from '../../workflows/order/contract.js';
import { type CreditAssessment, assessCredit } from '../../workflows/order/rules/credit.js';
import { orderTotals, utcDate } from '../../workflows/order/rules/invoice.js';
import { newOrderRecord } from '../orders/index.js';

export function createCreditActivities(deps: { db: Database }) {
  const { db } = deps;
  /** Reads the customer's exposure now and applies the order's credit policy to it. */
  async function assess(input: { orderId: string; customerId: string; orderTotalMinor: number; policy: CreditPolicy }): Promise<CreditAssessment> {
    const today = utcDate(new Date());
    const profile = await getCreditProfile(db, input.customerId, input.orderId, today);
    if (!profile) {
      return {
        outcome: 'rejected',
        exposureMinor: input.orderTotalMinor,
        limitMinor: 0,
        reasons: [`customer ${input.customerId} is not known`],
      };
    }
    return assessCredit(profile, input.orderTotalMinor, input.policy);
  }

  return {
    /**
     * Takes a new order in, in one step: records it and checks its credit. The order's row
     * follows from the workflow, which writes it. A repeat records nothing twice and checks again.
     */
    async admitOrder(input: OrderInput & { workflowId: string }): Promise<CreditAssessment> {
      await recordOrder(db, newOrderRecord(input));
      return assess({
        orderId: input.orderId,
        customerId: input.customerId,
        orderTotalMinor: orderTotals(input.lines, input.taxRateBps).totalMinor,
        policy: input.policy.credit,
      });
    },
  };
}
