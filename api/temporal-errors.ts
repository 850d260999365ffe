// What Temporal's answers mean to an HTTP caller. Refusals from the order's validators
// carry a type (OrderRefusal) that decides between 409, 422 and 404; the server's own
// back-pressure becomes 429 with Retry-After.
import {
  isGrpcServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { OrderRefusal } from '../workflows/order/contract.js';
import { DomainError, type ErrorCode, UNAVAILABLE_DETAIL, UNAVAILABLE_RETRY_AFTER_SECONDS } from './errors.js';
import { unavailableDependency } from './unavailable.js';

// gRPC status codes (the numbers are part of the gRPC protocol).
const grpcStatus = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9 } as const;

const REFUSAL_CODES: Record<string, ErrorCode> = {
  [OrderRefusal.conflict]: 'CONFLICT',
  [OrderRefusal.invalid]: 'UNPROCESSABLE',
  [OrderRefusal.notFound]: 'NOT_FOUND',
  // A step the request asked for failed in a way no retry fixes (the database refused its
  // data): the request is refused with the reason, and the order goes on.
  [OrderRefusal.stepCannotSucceed]: 'UNPROCESSABLE',
  // Raised by the payment activity: the reference was applied to another order.
  PaymentReferenceInUse: 'CONFLICT',
};

/** The gRPC status in the error's cause chain; a deadline the client enforced has no metadata. */
function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e)) return e.code;
    const { code, details } = e as { code?: unknown; details?: unknown };
    if (typeof code === 'number' && typeof details === 'string') return code;
  }
  return undefined;
}

/** The application failure at the root of a failed update, if the order refused it. */
function refusal(err: WorkflowUpdateFailedError): ApplicationFailure | undefined {
  let cause: unknown = err.cause;
  if (cause instanceof ActivityFailure) cause = cause.cause;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** What a caller refused by the order itself is told (see the RESOURCE_EXHAUSTED case). */
export const ORDER_BUSY_DETAIL =
  'The order has too many requests in flight; the request may still take effect: read the order before repeating it (a payment or shipment repeats safely as it is).';

/**
 * Translates a Temporal client error into what the API answers. `WorkflowNotFoundError`
 * is returned unchanged: only the caller knows whether the order never existed or has
 * closed, and it answers each differently.
 */
export function fromTemporal(err: unknown): unknown {
  if (err instanceof WorkflowNotFoundError || err instanceof DomainError) return err;
  if (err instanceof WorkflowUpdateFailedError) {
    const failure = refusal(err);
    const code = failure?.type ? REFUSAL_CODES[failure.type] : undefined;
    if (failure && code) return new DomainError(code, failure.message);
    // The server gave up on the update, not the order: the workflow task that carried it
    // failed (under load) or the order closed meanwhile. A message's steps run only once it is
    // accepted, so nothing of it reached the books.
    if (failure?.failure?.source === 'Server') {
      return new DomainError('UNAVAILABLE', `The order could not take the request now (${failure.message}); read the order, then repeat it.`, {
        retryAfterSeconds: 1,
      });
    }
    return err;
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new DomainError(
      'UNAVAILABLE',
      'The order did not answer in time (is Temporal reachable, and its worker running?); the request may still take effect: read the order before repeating it.',
      { retryAfterSeconds: 2 },
    );
  }
  // The server cannot be reached (stopped, restarting, never reached since start): gRPC
  // UNAVAILABLE, also under the SDK's "Failed to connect to Temporal server".
  if (unavailableDependency(err) === 'temporal') {
    return new DomainError('UNAVAILABLE', UNAVAILABLE_DETAIL.temporal, { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
  }
  const code = grpcCode(err);
  if (code === grpcStatus.RESOURCE_EXHAUSTED) {
    // The server may refuse a repeat of the SDK's call for an update it had already admitted
    // (the client sends it again until accepted): under a flood such an update still reaches
    // the order. The fault suite's payment storm saw a few of these.
    return new DomainError('TOO_MANY_REQUESTS', ORDER_BUSY_DETAIL, {
      retryAfterSeconds: 1,
    });
  }
  if (code === grpcStatus.FAILED_PRECONDITION) {
    // A query before any worker has run the order, or while its task is failing.
    return new DomainError('UNAVAILABLE', 'The order cannot answer yet (is its worker running?); retry shortly.', {
      retryAfterSeconds: 5,
    });
  }
  if (code === grpcStatus.DEADLINE_EXCEEDED || code === grpcStatus.CANCELLED) {
    return new DomainError('UNAVAILABLE', 'The order did not answer in time (is Temporal reachable, and its worker running?); retry shortly.', {
      retryAfterSeconds: 5,
    });
  }
  return err;
}
