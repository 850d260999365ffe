// Admission of an order: whether a request to create one starts it (or reaches the one
// already running under its ID), answers as a repeat of a closed one, or is refused. The API
// gathers the facts and translates the decision; the rule is here, once.

export interface AdmissionRequest {
  orderId: string;
  customerId: string;
  /** ISO 4217, upper case. */
  currency: string;
  /** The policy profile the caller names. */
  policy: string;
  /** The caller's payment terms; the customer's own when absent. */
  paymentTermsDays?: number;
  /** The request's identity (see isSameRequest). */
  requestFingerprint: string;
}

/** The order's row, when one is recorded under the ID. */
export interface RecordedOrder {
  requestFingerprint: string | null;
  closed: boolean;
}

export interface AdmissionCustomer {
  currency: string;
  paymentTermsDays: number;
}

export interface AdmissionFacts {
  request: AdmissionRequest;
  recorded: RecordedOrder | undefined;
  /** The customer the request names, if it exists. */
  customer: AdmissionCustomer | undefined;
  /** Policy profiles this server lets a caller name. */
  offeredPolicies: readonly string[];
  /**
   * Temporal refused to start the ID, or lost the update as the run closed: the order closed
   * after the facts above were read (they are then read again).
   */
  startRefused?: boolean;
  /**
   * The order's workflow as Temporal describes it (its execution status name, RUNNING,
   * COMPLETED…), null when Temporal does not know it. Absent until the rule asks for it:
   * most requests never need the round trip.
   */
  workflowStatus?: string | null;
}

export type AdmissionRefusal = {
  kind: 'refuse';
  code: 'CONFLICT' | 'UNPROCESSABLE' | 'UNAVAILABLE';
  message: string;
  /** With UNAVAILABLE: the request will succeed when repeated after this long. */
  retryAfterSeconds?: number;
};

export type AdmissionDecision =
  /** Start the order, or reach the one already running under its ID, with these terms. */
  | { kind: 'start'; paymentTermsDays: number }
  /** The same request again for an order that has closed: answer with its final state. */
  | { kind: 'repeat-closed' }
  /** Decide again with `workflowStatus` filled in. */
  | { kind: 'ask-workflow' }
  | AdmissionRefusal;

/** Execution statuses of a workflow that still answers for its order. */
const RUNNING_STATUSES: readonly string[] = ['RUNNING', 'CONTINUED_AS_NEW'];

/**
 * The same request again, by its fingerprint. An order recorded without one (not started
 * through the API) is never the same request as one that has a fingerprint.
 */
export function isSameRequest(recordedFingerprint: string | null, requestFingerprint: string): boolean {
  return recordedFingerprint === requestFingerprint;
}

const refuse = (code: AdmissionRefusal['code'], message: string, retryAfterSeconds?: number): AdmissionRefusal => ({
  kind: 'refuse',
  code,
  message,
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});

export function admitOrder(facts: AdmissionFacts): AdmissionDecision {
  const { request, recorded, customer } = facts;
  const orderId = request.orderId;
  // A repeat: the row answers what it can, since Temporal may have forgotten the order.
  if (recorded && !isSameRequest(recorded.requestFingerprint, request.requestFingerprint)) {
    return refuse('CONFLICT', `Order ${orderId} already exists with different details.`);
  }
  if (recorded?.closed) return { kind: 'repeat-closed' };
  if (recorded || facts.startRefused) {
    // An order recorded but not closed must still have its workflow: one that ended without
    // closing it (terminated by an operator) or that Temporal no longer knows is never
    // started again under the same ID.
    if (facts.workflowStatus === undefined) return { kind: 'ask-workflow' };
    if (facts.workflowStatus === null) {
      return refuse('CONFLICT', `Order ${orderId} exists but its workflow is gone; it cannot be started again.`);
    }
    if (!RUNNING_STATUSES.includes(facts.workflowStatus)) {
      return refuse('CONFLICT', `Order ${orderId} exists and its workflow has ended (${facts.workflowStatus.toLowerCase()}).`);
    }
    // Refused a start yet still running: it is closing and its row is about to say so.
    if (facts.startRefused) return refuse('UNAVAILABLE', `Order ${orderId} is closing; repeat the request.`, 1);
  }
  if (!facts.offeredPolicies.includes(request.policy)) {
    return refuse('UNPROCESSABLE', `Policy "${request.policy}" is not offered by this server.`);
  }
  if (!customer) return refuse('UNPROCESSABLE', `Customer ${request.customerId} does not exist; create it first.`);
  if (customer.currency !== request.currency) {
    return refuse(
      'UNPROCESSABLE',
      `Customer ${request.customerId} is billed in ${customer.currency}; the order is in ${request.currency}.`,
    );
  }
  return { kind: 'start', paymentTermsDays: request.paymentTermsDays ?? customer.paymentTermsDays };
}
