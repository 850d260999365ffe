import { describe, expect, it } from 'vitest';
import { type AdmissionFacts, admitOrder, isSameRequest } from '../../../../workflows/order/rules/admission.js';

function facts(over: Partial<AdmissionFacts> = {}): AdmissionFacts {
  return {
    request: { orderId: 'ord-1', customerId: 'cust-1', currency: 'USD', policy: 'standard', requestFingerprint: 'fp-1' },
    recorded: undefined,
    customer: { currency: 'USD', paymentTermsDays: 45 },
    offeredPolicies: ['standard'],
    ...over,
  };
}
const open = { requestFingerprint: 'fp-1', closed: false };
const closed = { requestFingerprint: 'fp-1', closed: true };

describe('isSameRequest', () => {
  it('is the same request only with the same fingerprint', () => {
    expect(isSameRequest('fp-1', 'fp-1')).toBe(true);
    expect(isSameRequest('fp-1', 'fp-2')).toBe(false);
  });

  it('never matches an order recorded without a fingerprint', () => {
    expect(isSameRequest(null, 'fp-1')).toBe(false);
  });
});

describe('admitOrder', () => {
  it("starts a new order on the customer's terms unless the request names its own", () => {
    expect(admitOrder(facts())).toEqual({ kind: 'start', paymentTermsDays: 45 });
    const withTerms = facts({ request: { ...facts().request, paymentTermsDays: 0 } });
    expect(admitOrder(withTerms)).toEqual({ kind: 'start', paymentTermsDays: 0 });
  });

  it('refuses another request under a taken ID, closed or not, before asking Temporal', () => {
    const others = [
      { requestFingerprint: 'fp-2', closed: false },
      { requestFingerprint: 'fp-2', closed: true },
      { requestFingerprint: null, closed: false },
    ];
    for (const recorded of others) {
      expect(admitOrder(facts({ recorded }))).toEqual({
        kind: 'refuse',
        code: 'CONFLICT',
        message: 'Order ord-1 already exists with different details.',
      });
    }
  });

  it('answers the same request for a closed order with its final state, whatever else changed', () => {
    expect(admitOrder(facts({ recorded: closed, customer: undefined, offeredPolicies: [] }))).toEqual({ kind: 'repeat-closed' });
  });

  it('asks for the workflow of an order recorded but not closed, and reaches it while it runs', () => {
    expect(admitOrder(facts({ recorded: open }))).toEqual({ kind: 'ask-workflow' });
    for (const workflowStatus of ['RUNNING', 'CONTINUED_AS_NEW']) {
      expect(admitOrder(facts({ recorded: open, workflowStatus }))).toEqual({ kind: 'start', paymentTermsDays: 45 });
    }
  });

  it('never starts again an order whose workflow ended without closing it or is gone', () => {
    expect(admitOrder(facts({ recorded: open, workflowStatus: 'TERMINATED' }))).toEqual({
      kind: 'refuse',
      code: 'CONFLICT',
      message: 'Order ord-1 exists and its workflow has ended (terminated).',
    });
    expect(admitOrder(facts({ recorded: open, workflowStatus: null }))).toEqual({
      kind: 'refuse',
      code: 'CONFLICT',
      message: 'Order ord-1 exists but its workflow is gone; it cannot be started again.',
    });
  });

  it('checks the workflow of a repeat before the policy and the customer', () => {
    const unfit = { recorded: open, offeredPolicies: [], customer: undefined };
    expect(admitOrder(facts({ ...unfit, workflowStatus: null }))).toMatchObject({ code: 'CONFLICT' });
    expect(admitOrder(facts({ ...unfit, workflowStatus: 'RUNNING' }))).toMatchObject({ code: 'UNPROCESSABLE' });
  });

  it('refuses a policy this server does not offer', () => {
    const demo = facts({ request: { ...facts().request, policy: 'demo' } });
    expect(admitOrder(demo)).toEqual({
      kind: 'refuse',
      code: 'UNPROCESSABLE',
      message: 'Policy "demo" is not offered by this server.',
    });
    expect(admitOrder({ ...demo, offeredPolicies: ['standard', 'demo'] })).toMatchObject({ kind: 'start' });
  });

  it('refuses an unknown customer, and one billed in another currency', () => {
    expect(admitOrder(facts({ customer: undefined }))).toEqual({
      kind: 'refuse',
      code: 'UNPROCESSABLE',
      message: 'Customer cust-1 does not exist; create it first.',
    });
    expect(admitOrder(facts({ customer: { currency: 'EUR', paymentTermsDays: 30 } }))).toEqual({
      kind: 'refuse',
      code: 'UNPROCESSABLE',
      message: 'Customer cust-1 is billed in EUR; the order is in USD.',
    });
  });

  describe('after Temporal refused the start (the order closed meanwhile)', () => {
    const refused = (over: Partial<AdmissionFacts>) => facts({ startRefused: true, ...over });

    it('answers the same request with the final state once the row says closed', () => {
      expect(admitOrder(refused({ recorded: closed }))).toEqual({ kind: 'repeat-closed' });
    });

    it('refuses another request under the closed ID', () => {
      expect(admitOrder(refused({ recorded: { requestFingerprint: 'fp-2', closed: true } }))).toMatchObject({
        code: 'CONFLICT',
        message: 'Order ord-1 already exists with different details.',
      });
    });

    it('asks for the workflow while the row is not closed yet, or not there', () => {
      expect(admitOrder(refused({ recorded: open }))).toEqual({ kind: 'ask-workflow' });
      expect(admitOrder(refused({ recorded: undefined }))).toEqual({ kind: 'ask-workflow' });
    });

    it('asks to repeat the request shortly while the workflow is still closing', () => {
      for (const recorded of [open, undefined]) {
        expect(admitOrder(refused({ recorded, workflowStatus: 'RUNNING' }))).toEqual({
          kind: 'refuse',
          code: 'UNAVAILABLE',
          message: 'Order ord-1 is closing; repeat the request.',
          retryAfterSeconds: 1,
        });
      }
    });

    it('refuses when the workflow ended without closing the order, or is gone', () => {
      expect(admitOrder(refused({ recorded: open, workflowStatus: 'COMPLETED' }))).toMatchObject({
        code: 'CONFLICT',
        message: 'Order ord-1 exists and its workflow has ended (completed).',
      });
      expect(admitOrder(refused({ recorded: undefined, workflowStatus: null }))).toMatchObject({
        code: 'CONFLICT',
        message: 'Order ord-1 exists but its workflow is gone; it cannot be started again.',
      });
    });

    it('never starts the order', () => {
      for (const recorded of [open, closed, undefined]) {
        for (const workflowStatus of [undefined, null, 'RUNNING', 'COMPLETED']) {
          expect(admitOrder(refused({ recorded, workflowStatus })).kind).not.toBe('start');
        }
      }
    });
  });
});
