/** Nearest-rank percentile of an unsorted sample, in the sample's unit. */
export function percentile(sample: number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LoopResult {
  concurrency: number;
  completed: number;
  failed: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
}

/**
 * Closed loop: `concurrency` callers each run `once` back to back until `seconds` pass.
 * Only completed runs count; a run still going at the deadline is awaited but not counted.
 */
export async function closedLoop(concurrency: number, seconds: number, once: () => Promise<void>): Promise<LoopResult> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await once();
          const t1 = performance.now();
          if (t1 <= deadline) latencies.push(t1 - t0);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsed = seconds;
  return {
    concurrency,
    completed: latencies.length,
    failed,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
  };
}
