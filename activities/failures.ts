// Which failures no retry can fix. PostgreSQL refusing the data itself (a value out of range,
// a check or foreign key the row breaks) and an invariant our own code checks fail the same
// way on every attempt: they are raised as non-retryable, so that the order stops for a person
// (or refuses the request that caused them) instead of retrying for ever.
import { ApplicationFailure } from '@temporalio/activity';
import { OrderRefusal } from '../workflows/order/contract.js';

/** The error PostgreSQL raised, the error itself or what it wraps: the one with a SQLSTATE. */
function postgresError(err: unknown): (Error & { code: string }) | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return e as Error & { code: string };
  }
  return undefined;
}

/**
 * Data exceptions (class 22) and integrity violations (class 23) other than a unique key:
 * the idempotency guards raise unique violations when two attempts race, and a retry finds
 * the first one's row. A RangeError is one of our own invariants refusing the figures.
 */
export function isHopeless(err: unknown): boolean {
  if (err instanceof ApplicationFailure) return false;
  if (err instanceof RangeError) return true;
  const state = postgresError(err)?.code;
  return state !== undefined && (state.startsWith('22') || (state.startsWith('23') && state !== '23505'));
}

/** The activities, each raising a hopeless failure as non-retryable with its message. */
export function failingFast<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args) => {
      try {
        return await activity(...args);
      } catch (err) {
        if (!isHopeless(err)) throw err;
        // PostgreSQL's own words, not the statement drizzle wraps them in.
        const postgres = postgresError(err);
        const message = postgres ? `${postgres.message} (SQLSTATE ${postgres.code})` : (err as Error).message;
        throw ApplicationFailure.create({ message: `${name}: ${message}`, type: OrderRefusal.stepCannotSucceed, nonRetryable: true });
      }
    };
  }
  return wrapped as T;
}
