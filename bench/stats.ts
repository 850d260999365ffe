/** Nearest-rank percentile of an unsorted sample, in the sample's unit. */
export function percentile(sample: number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LoopResult {
  concurrency: number;
  /** Runs begun, including those still going at the deadline and those that failed. */
  started: number;
  completed: number;
  failed: number;
  /** What the first failure said, so a failing run names its cause. */
  firstError?: string;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
}

export interface LoopOptions {
  /** Least seconds before the counted window opens; it also waits for every caller's first run. */
  rampSeconds?: number;
  /**
   * Called as the counted window opens and as it closes (to measure CPU over it, or to cut
   * short the runs still going when nothing follows on the same server).
   */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
}

/**
 * Closed loop: `concurrency` callers each run `once` back to back, their first runs spread over
 * the first half of `rampSeconds`. The counted window opens
 * once `rampSeconds` have passed and every caller has finished its first run (the pipeline is
 * full, and the callers' synchronized first runs are not counted), and lasts `seconds`. Only
 * runs that complete inside it count; runs still going when it closes are awaited, not counted.
 */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  /** One run; `caller` is which of the callers runs it, from 0. */
  once: (caller: number) => Promise<void>,
  options: LoopOptions = {},
): Promise<LoopResult> {
  const latencies: number[] = [];
  let failed = 0;
  let runs = 0;
  let firstError: string | undefined;
  let firstRunsDone = 0;
  let windowStart: number | undefined;
  let deadline: number | undefined;
  let closed: NodeJS.Timeout | undefined;
  let rampDone = false;
  const open = () => {
    if (windowStart !== undefined || firstRunsDone < concurrency || !rampDone) return;
    windowStart = performance.now();
    deadline = windowStart + seconds * 1000;
    options.onWindowStart?.();
    closed = setTimeout(end, seconds * 1000);
  };
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    options.onWindowEnd?.();
  };
  const ramp = setTimeout(() => {
    rampDone = true;
    open();
  }, (options.rampSeconds ?? 0) * 1000);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, caller) => {
      // First runs spread over the first half of the ramp: callers started together would
      // otherwise complete in bursts an order's latency apart, and a window shorter than that
      // would count one burst or none.
      const stagger = (caller / concurrency) * (options.rampSeconds ?? 0) * 500;
      if (stagger > 0) await new Promise((resolve) => setTimeout(resolve, stagger));
      let first = true;
      while (deadline === undefined || performance.now() < deadline) {
        const t0 = performance.now();
        runs += 1;
        try {
          await once(caller);
          const t1 = performance.now();
          if (windowStart !== undefined && t1 >= windowStart && t1 <= deadline!) latencies.push(t1 - t0);
        } catch (err) {
          // As with completions, a run failing after the window closed counts for nothing.
          if (deadline === undefined || performance.now() <= deadline) {
            failed += 1;
            firstError ??= (err as Error).message;
          }
        }
        if (first) {
          first = false;
          firstRunsDone += 1;
          open();
        }
      }
    }),
  );
  clearTimeout(ramp);
  clearTimeout(closed);
  // The last run may end past the deadline before the timer's turn comes (a busy machine,
  // one caller): the window still closes, once.
  if (windowStart !== undefined) end();
  return {
    concurrency,
    started: runs,
    completed: latencies.length,
    failed,
    ...(firstError ? { firstError } : {}),
    seconds,
    perSecond: latencies.length / seconds,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
  };
}

/**
 * The order in which `items` take their turn at step `step` of a sweep: each step starts with
 * the next one, and every other step goes the other way round, so that none is always measured
 * first or always right after the same other one.
 */
export function turnOrder<T>(items: readonly T[], step: number): T[] {
  const turn = items.map((_, j) => items[(step + j) % items.length]!);
  return step % 2 === 1 ? turn.reverse() : turn;
}
