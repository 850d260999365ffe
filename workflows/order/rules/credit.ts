// Credit check rules: approve, hold for a person, or reject, with the reasons in words.
import type { CreditPolicy, OrderStatus } from '../contract.js';
import { assertMinor } from './money.js';

export interface CreditProfile {
  limitMinor: number;
  openReceivablesMinor: number;
  openOrdersMinor: number;
  overdueMinor: number;
}

export interface CreditAssessment {
  outcome: 'approved' | 'rejected' | 'held';
  exposureMinor: number;
  limitMinor: number;
  reasons: string[];
}

/** Basis points as a percentage without floats: 15000 → '150', 12550 → '125.5'. */
function percentOf(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const rest = bps % 100;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}`;
}

/**
 * Exposure = open receivables + open orders + this order. Rules in order: above the reject
 * threshold (a share of the limit) → rejected; otherwise every hold reason that applies
 * (over the limit, overdue balance above the auto-approval allowance) → held; else approved.
 */
export function assessCredit(profile: CreditProfile, orderTotalMinor: number, policy: CreditPolicy): CreditAssessment {
  assertMinor(profile.limitMinor, 'credit limit');
  assertMinor(profile.openReceivablesMinor, 'open receivables');
  assertMinor(profile.openOrdersMinor, 'open orders');
  assertMinor(profile.overdueMinor, 'overdue balance');
  assertMinor(orderTotalMinor, 'order total');
  assertMinor(policy.maxOverdueForAutoApprovalMinor, 'overdue allowance');
  if (!Number.isSafeInteger(policy.rejectAboveLimitBps) || policy.rejectAboveLimitBps < 0) {
    throw new RangeError(`reject threshold must be a non-negative integer of basis points, got ${String(policy.rejectAboveLimitBps)}`);
  }

  const exposureMinor = profile.openReceivablesMinor + profile.openOrdersMinor + orderTotalMinor;
  if (!Number.isSafeInteger(exposureMinor)) throw new RangeError('credit exposure exceeds the safe integer range');
  const limitMinor = profile.limitMinor;
  const base = { exposureMinor, limitMinor };

  // exposure > limit × bps / 10000 without division or floats; BigInt because the product
  // of a large limit and the bps can pass 2^53.
  const threshold = BigInt(limitMinor) * BigInt(policy.rejectAboveLimitBps);
  if (BigInt(exposureMinor) * 10000n > threshold) {
    // For an integer exposure, "above t" is "above floor(t)", so the floor is the true threshold.
    const shown = threshold / 10000n;
    return {
      ...base,
      outcome: 'rejected',
      reasons: [
        `Exposure ${exposureMinor} exceeds the reject threshold ${shown} (${percentOf(policy.rejectAboveLimitBps)}% of the credit limit ${limitMinor}).`,
      ],
    };
  }

  const reasons: string[] = [];
  if (exposureMinor > limitMinor) {
    reasons.push(`Exposure ${exposureMinor} exceeds the credit limit ${limitMinor}.`);
  }
  if (profile.overdueMinor > policy.maxOverdueForAutoApprovalMinor) {
    reasons.push(
      `Overdue balance ${profile.overdueMinor} exceeds the ${policy.maxOverdueForAutoApprovalMinor} allowed for automatic approval.`,
    );
  }
  return { ...base, outcome: reasons.length > 0 ? 'held' : 'approved', reasons };
}

export interface CreditStanding {
  /** Open receivables plus orders not yet invoiced. */
  exposureMinor: number;
  /** What the customer can still order within the limit; 0 when at or over it. */
  availableMinor: number;
  overdueMinor: number;
}

/** The customer's standing as finance reads it beside the limit. */
export function creditStanding(profile: CreditProfile): CreditStanding {
  assertMinor(profile.limitMinor, 'credit limit');
  assertMinor(profile.openReceivablesMinor, 'open receivables');
  assertMinor(profile.openOrdersMinor, 'open orders');
  assertMinor(profile.overdueMinor, 'overdue balance');
  const exposureMinor = profile.openReceivablesMinor + profile.openOrdersMinor;
  return { exposureMinor, availableMinor: Math.max(0, profile.limitMinor - exposureMinor), overdueMinor: profile.overdueMinor };
}

/**
 * Where an order stands once its credit check has an outcome: approved waits for shipment,
 * held waits for finance. A rejected order closes, which sets its status then (null here).
 */
export function statusAfterCreditCheck(outcome: CreditAssessment['outcome']): OrderStatus | null {
  if (outcome === 'approved') return 'awaiting_shipment';
  if (outcome === 'held') return 'credit_hold';
  return null;
}
