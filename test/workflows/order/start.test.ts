// How an order is submitted, without a server: the operation's options are what Temporal
// receives; the workflow tests and the API tests send it for real.
import { describe, expect, it } from 'vitest';
import { ORDER_TASK_QUEUE, OrderSearchAttributes } from '../../../workflows/order/contract.js';
import { DEMO_ORDER_POLICY, STANDARD_ORDER_POLICY } from '../../../workflows/order/rules/policy.js';
import { fingerprint, orderInput, orderSubmission } from '../../../workflows/order/start.js';

const request = {
  orderId: 'ord-1',
  customerId: 'cust-1',
  currency: 'EUR',
  lines: [{ lineId: 'l1', sku: 'SKU-1', description: 'Paper', quantity: 3, unitPriceMinor: 1_000 }],
  taxRateBps: 2000,
  policy: 'standard' as const,
};

describe('fingerprint', () => {
  it('ignores the order of keys at every level, not the order of array items', () => {
    const reordered = {
      policy: 'standard',
      lines: [{ unitPriceMinor: 1_000, quantity: 3, description: 'Paper', sku: 'SKU-1', lineId: 'l1' }],
      taxRateBps: 2000,
      currency: 'EUR',
      customerId: 'cust-1',
      orderId: 'ord-1',
    };
    expect(fingerprint(reordered)).toBe(fingerprint(request));
    expect(fingerprint({ ...request, taxRateBps: 2001 })).not.toBe(fingerprint(request));
    expect(fingerprint([1, 2])).not.toBe(fingerprint([2, 1]));
  });

  it('is a SHA-256 in hex', () => {
    expect(fingerprint(request)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('orderInput', () => {
  it("takes the request, the settled terms and the named policy's snapshot", () => {
    const input = orderInput(request, { paymentTermsDays: 45, requestFingerprint: 'fp-1', submittedBy: 'svc' });
    expect(input).toEqual({
      orderId: 'ord-1',
      customerId: 'cust-1',
      currency: 'EUR',
      lines: request.lines,
      taxRateBps: 2000,
      paymentTermsDays: 45,
      policy: STANDARD_ORDER_POLICY,
      requestFingerprint: 'fp-1',
      submittedBy: 'svc',
    });
    expect(orderInput({ ...request, policy: 'demo' }, { paymentTermsDays: 0, requestFingerprint: 'fp', submittedBy: 'svc' }).policy).toBe(
      DEMO_ORDER_POLICY,
    );
  });
});

describe('orderSubmission', () => {
  const input = orderInput(request, { paymentTermsDays: 30, requestFingerprint: 'fp-1', submittedBy: 'svc' });

  it('starts the order or reaches the one running, never reusing a closed ID, and submits its fingerprint', () => {
    const { args, startWorkflowOperation } = orderSubmission(input);
    expect(args).toEqual([{ requestFingerprint: 'fp-1' }]);
    expect(startWorkflowOperation.workflowTypeOrFunc).toBe('orderWorkflow');
    expect(startWorkflowOperation.options).toMatchObject({
      workflowId: 'order:ord-1',
      taskQueue: ORDER_TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // 3 × 10.00 + 20% tax.
      staticSummary: expect.stringContaining('36.00'),
    });
    expect(startWorkflowOperation.options.typedSearchAttributes).toContainEqual({
      key: OrderSearchAttributes.customerId,
      value: 'cust-1',
    });
  });

  it('runs on another task queue when told', () => {
    expect(orderSubmission(input, { taskQueue: 'tests' }).startWorkflowOperation.options.taskQueue).toBe('tests');
  });

  it('submits a null fingerprint for an order that has none', () => {
    const { requestFingerprint: _none, ...unsigned } = input;
    expect(orderSubmission(unsigned).args).toEqual([{ requestFingerprint: null }]);
  });

  it('gives a fresh operation each time, as Temporal runs one only once', () => {
    expect(orderSubmission(input).startWorkflowOperation).not.toBe(orderSubmission(input).startWorkflowOperation);
  });
});
