import { describe, expect, it } from 'vitest';
import type { CreditPolicy } from '../../../../workflows/order/contract.js';
import { type CreditProfile, assessCredit, statusAfterCreditCheck } from '../../../../workflows/order/rules/credit.js';

const policy: CreditPolicy = {
  maxOverdueForAutoApprovalMinor: 0,
  rejectAboveLimitBps: 15000,
  reviewSlaMs: 3_600_000,
  decisionDeadlineMs: 86_400_000,
};

function profile(over: Partial<CreditProfile> = {}): CreditProfile {
  return { limitMinor: 100000, openReceivablesMinor: 20000, openOrdersMinor: 10000, overdueMinor: 0, ...over };
}

describe('assessCredit', () => {
  it('adds open receivables, open orders and this order into the exposure', () => {
    const result = assessCredit(profile(), 30000, policy);
    expect(result).toEqual({ outcome: 'approved', exposureMinor: 60000, limitMinor: 100000, reasons: [] });
  });

  it('approves exposure exactly at the limit', () => {
    const result = assessCredit(profile(), 70000, policy);
    expect(result.exposureMinor).toBe(100000);
    expect(result.outcome).toBe('approved');
    expect(result.reasons).toEqual([]);
  });

  it('holds exposure one minor unit over the limit', () => {
    const result = assessCredit(profile(), 70001, policy);
    expect(result.outcome).toBe('held');
    expect(result.reasons).toEqual(['Exposure 100001 exceeds the credit limit 100000.']);
  });

  it('holds, not rejects, exposure exactly at the reject threshold', () => {
    const result = assessCredit(profile(), 120000, policy);
    expect(result.exposureMinor).toBe(150000);
    expect(result.outcome).toBe('held');
  });

  it('rejects exposure one minor unit above the reject threshold', () => {
    const result = assessCredit(profile(), 120001, policy);
    expect(result.outcome).toBe('rejected');
    expect(result.exposureMinor).toBe(150001);
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]).toBe(
      'Exposure 150001 exceeds the reject threshold 150000 (150% of the credit limit 100000).',
    );
  });

  it('compares a fractional threshold exactly', () => {
    // 333 × 150% = 499.5: 499 is held, 500 is rejected
    const p = profile({ limitMinor: 333, openReceivablesMinor: 0, openOrdersMinor: 0 });
    expect(assessCredit(p, 499, policy).outcome).toBe('held');
    const rejected = assessCredit(p, 500, policy);
    expect(rejected.outcome).toBe('rejected');
    expect(rejected.reasons[0]).toContain('threshold 499 ');
    // a threshold of 125.5%
    const odd = assessCredit(profile({ limitMinor: 1000, openReceivablesMinor: 0, openOrdersMinor: 0 }), 1256, {
      ...policy,
      rejectAboveLimitBps: 12550,
    });
    expect(odd.outcome).toBe('rejected');
    expect(odd.reasons[0]).toContain('125.5% of the credit limit 1000');
  });

  it('holds an otherwise good order for an overdue balance above the allowance', () => {
    const result = assessCredit(profile({ overdueMinor: 1 }), 1000, policy);
    expect(result.outcome).toBe('held');
    expect(result.reasons).toEqual(['Overdue balance 1 exceeds the 0 allowed for automatic approval.']);
  });

  it('approves an overdue balance exactly at the allowance', () => {
    const result = assessCredit(profile({ overdueMinor: 5000 }), 1000, { ...policy, maxOverdueForAutoApprovalMinor: 5000 });
    expect(result.outcome).toBe('approved');
  });

  it('collects every hold reason that applies', () => {
    const result = assessCredit(profile({ overdueMinor: 2500 }), 80000, policy);
    expect(result.outcome).toBe('held');
    expect(result.reasons).toEqual([
      'Exposure 110000 exceeds the credit limit 100000.',
      'Overdue balance 2500 exceeds the 0 allowed for automatic approval.',
    ]);
  });

  it('rejects before looking at holds', () => {
    const result = assessCredit(profile({ overdueMinor: 2500 }), 500000, policy);
    expect(result.outcome).toBe('rejected');
    expect(result.reasons).toHaveLength(1);
  });

  it('rejects any exposure against a zero limit, but approves a zero exposure', () => {
    const zero = profile({ limitMinor: 0, openReceivablesMinor: 0, openOrdersMinor: 0 });
    expect(assessCredit(zero, 1, policy).outcome).toBe('rejected');
    expect(assessCredit(zero, 0, policy).outcome).toBe('approved');
  });

  it('stays exact when limit × bps passes 2^53', () => {
    const big = profile({ limitMinor: 4_000_000_000_000_000, openReceivablesMinor: 0, openOrdersMinor: 0 });
    // threshold = 6,000,000,000,000,000
    expect(assessCredit(big, 6_000_000_000_000_000, policy).outcome).toBe('held');
    expect(assessCredit(big, 6_000_000_000_000_001, policy).outcome).toBe('rejected');
  });

  it('refuses invalid money and policy values', () => {
    expect(() => assessCredit(profile({ limitMinor: -1 }), 100, policy)).toThrow(RangeError);
    expect(() => assessCredit(profile({ overdueMinor: 1.5 }), 100, policy)).toThrow(RangeError);
    expect(() => assessCredit(profile(), -100, policy)).toThrow(RangeError);
    expect(() => assessCredit(profile(), 100, { ...policy, rejectAboveLimitBps: -1 })).toThrow(RangeError);
    expect(() => assessCredit(profile(), 100, { ...policy, maxOverdueForAutoApprovalMinor: -1 })).toThrow(RangeError);
    expect(() =>
      assessCredit(profile({ openReceivablesMinor: Number.MAX_SAFE_INTEGER }), 1, policy),
    ).toThrow(RangeError);
  });
});

describe('statusAfterCreditCheck', () => {
  it('sends an approved order to shipment and a held one to finance; a rejected one closes later', () => {
    expect(statusAfterCreditCheck('approved')).toBe('awaiting_shipment');
    expect(statusAfterCreditCheck('held')).toBe('credit_hold');
    expect(statusAfterCreditCheck('rejected')).toBeNull();
  });
});
