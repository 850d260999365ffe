// How many calls to the engine one API process has in flight, and what happens past that:
// an immediate 429 with Retry-After instead of a queue. Under overload the engine serves no
// more orders for more callers; it serves each of them more slowly, until calls outlive their
// deadline and answer 503 after having waited for nothing (or worse, after the order took
// them). Refused at once, a caller knows where it stands and nothing was sent to the order.
import { DomainError } from './errors.js';

/**
 * Calls in flight one API process admits. The bench's engine over HTTP saturates at 32
 * callers on two cores: more callers bring no more orders per second, only longer waits.
 */
export const DEFAULT_ENGINE_CALLS = 32;

/** Seconds a refused caller is told to wait: about how long an admitted call takes at saturation. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

export class EngineAdmission {
  private inFlight = 0;

  constructor(readonly limit: number) {}

  /** Runs `call` if a place is free; else refuses with 429 and runs nothing. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) {
      throw new DomainError('TOO_MANY_REQUESTS', `The engine is serving as many requests as it can (${this.limit}); nothing was done, try again shortly.`, {
        retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS,
      });
    }
    this.inFlight += 1;
    try {
      return await call();
    } finally {
      this.inFlight -= 1;
    }
  }

  get busy(): number {
    return this.inFlight;
  }
}
