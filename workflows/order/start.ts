// Client side only: how every caller starts an order (the API, the bench's engine workload,
// the workflow tests), so they all send exactly the same thing. It imports @temporalio/client
// and node:crypto, so workflow code must never import it (the bundle would refuse both).
import { createHash } from 'node:crypto';
import { type Client, WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import {
  type OrderInput,
  type OrderLine,
  type SubmitOrderInput,
  type SubmitOrderResult,
  orderStartOptions,
  submitOrderUpdate,
} from './contract.js';
import { orderTotals } from './rules/invoice.js';
import { formatMoney } from './rules/money.js';
import { ORDER_POLICIES, type OrderPolicyName } from './rules/policy.js';
import type { orderWorkflow } from './workflow.js';

/** The request's identity: a SHA-256 of its canonical JSON (keys sorted at every level). */
export function fingerprint(value: unknown): string {
  const canonical = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(canonical)
      : node && typeof node === 'object'
        ? Object.fromEntries(
            Object.keys(node)
              .sort()
              .map((key) => [key, canonical((node as Record<string, unknown>)[key])]),
          )
        : node;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

/** An order as a caller asks for it (the body of `POST /orders`). */
export interface OrderRequest {
  orderId: string;
  customerId: string;
  currency: string;
  lines: OrderLine[];
  taxRateBps: number;
  paymentTermsDays?: number;
  policy: OrderPolicyName;
}

/**
 * The workflow's input for a request: the terms admission settled on, the named policy's
 * snapshot (an order keeps the policy it started with), the request's fingerprint and who
 * sent it.
 */
export function orderInput(
  request: OrderRequest,
  parts: { paymentTermsDays: number; requestFingerprint: string; submittedBy: string },
): OrderInput {
  return {
    orderId: request.orderId,
    customerId: request.customerId,
    currency: request.currency,
    lines: request.lines,
    taxRateBps: request.taxRateBps,
    paymentTermsDays: parts.paymentTermsDays,
    policy: ORDER_POLICIES[request.policy],
    requestFingerprint: parts.requestFingerprint,
    submittedBy: parts.submittedBy,
  };
}

export interface SubmitOptions {
  /** Task queue of the order workers, when not the default (tests run their own). */
  taskQueue?: string;
}

/**
 * The Update-with-Start that submits an order: the submitOrder update with the start of
 * its workflow, as options for `executeUpdateWithStart`. A fresh operation each call, as
 * Temporal runs one only once.
 */
export function orderSubmission(
  input: OrderInput,
  options: SubmitOptions = {},
): { args: [SubmitOrderInput]; startWorkflowOperation: WithStartWorkflowOperation<typeof orderWorkflow> } {
  const total = orderTotals(input.lines, input.taxRateBps).totalMinor;
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', {
    ...orderStartOptions(input, formatMoney(total, input.currency)),
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
    args: [input],
    // One round trip: start the order, or reach the one already running under this ID.
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A closed order's ID is never reused for a new one.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  return { args: [{ requestFingerprint: input.requestFingerprint ?? null }], startWorkflowOperation };
}

/**
 * Submits the order and answers once its credit check has an outcome (approved, held or
 * rejected), with a handle on its workflow. Throws what Temporal throws: a closed order's ID
 * is WorkflowExecutionAlreadyStartedError.
 */
export async function submitOrder(
  client: Client,
  input: OrderInput,
  options: SubmitOptions = {},
): Promise<{ result: SubmitOrderResult; handle: WorkflowHandle<typeof orderWorkflow> }> {
  const submission = orderSubmission(input, options);
  const result = await client.workflow.executeUpdateWithStart(submitOrderUpdate, submission);
  return { result, handle: await submission.startWorkflowOperation.workflowHandle() };
}
