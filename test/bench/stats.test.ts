import { afterEach, describe, expect, it, vi } from 'vitest';
import { closedLoop, percentile, turnOrder } from '../../bench/stats.js';

// closedLoop measures time; its tests run on a fake clock (timers, performance.now) that moves
// only from one timer to the next, so what they count is the same on an idle or a busy machine.
async function onFakeClock<T>(run: () => Promise<T>): Promise<T> {
  vi.useFakeTimers();
  const result = run();
  await vi.runAllTimersAsync();
  return result;
}
afterEach(() => {
  vi.useRealTimers();
});

describe('percentile', () => {
  it('takes the nearest rank of the sorted sample', () => {
    const sample = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
    expect(percentile(sample, 50)).toBe(5);
    expect(percentile(sample, 95)).toBe(10);
    expect(percentile(sample, 10)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('closedLoop', () => {
  it('counts completed runs only, and failures apart', async () => {
    let calls = 0;
    const result = await onFakeClock(() =>
      closedLoop(2, 0.3, async () => {
        calls += 1;
        await new Promise((r) => setTimeout(r, 20));
        if (calls % 3 === 0) throw new Error('refused');
      }),
    );
    expect(result.failed).toBeGreaterThan(0);
    expect(result.completed + result.failed).toBeLessThanOrEqual(calls);
    expect(result.completed).toBeGreaterThan(result.failed);
    expect(result.perSecond).toBeCloseTo(result.completed / 0.3, 5);
    expect(result.latencyMs.p50).toBe(20);
  });
});

describe('closedLoop with a ramp', () => {
  it('counts only runs that end inside the window after the ramp, and opens and closes it once', async () => {
    const events: string[] = [];
    const result = await onFakeClock(() =>
      closedLoop(
        1,
        0.2,
        async () => {
          await new Promise((r) => setTimeout(r, 50));
        },
        { rampSeconds: 0.2, onWindowStart: () => events.push('start'), onWindowEnd: () => events.push('end') },
      ),
    );
    expect(events).toEqual(['start', 'end']);
    // 8 runs in 0.4 s, of which those ending in the last 0.2 s (at 200, 250, ... 400 ms) count
    expect(result.started).toBe(8);
    expect(result.completed).toBe(5);
    expect(result.perSecond).toBeCloseTo(result.completed / 0.2, 5);
  });

  it('closes the window when the last run ends past it before the timer could fire', async () => {
    const events: string[] = [];
    await closedLoop(
      1,
      0.1,
      async () => {
        await new Promise((r) => setImmediate(r));
        // Holds the event loop past the window's end, as a busy machine does.
        const until = performance.now() + 150;
        while (performance.now() < until) {
          // busy
        }
      },
      { onWindowStart: () => events.push('start'), onWindowEnd: () => events.push('end') },
    );
    expect(events).toEqual(['start', 'end']);
  });
});

describe('closedLoop window', () => {
  it('opens only once every caller has finished its first run, however short the ramp', async () => {
    let openedAt = 0;
    let slowEndedAt = 0;
    const firstDone = new Set<number>();
    await onFakeClock(() => {
      const begun = performance.now();
      return closedLoop(
        2,
        0.1,
        async (caller) => {
          // the second caller's first run is slow
          const slow = caller === 1 && !firstDone.has(1);
          firstDone.add(caller);
          await new Promise((r) => setTimeout(r, slow ? 300 : 20));
          if (slow) slowEndedAt = performance.now() - begun;
        },
        { rampSeconds: 0.05, onWindowStart: () => (openedAt = performance.now() - begun) },
      );
    });
    // long after the 50 ms ramp: as the slow first run ends
    expect(slowEndedAt).toBeGreaterThanOrEqual(300);
    expect(openedAt).toBe(slowEndedAt);
  });
});

describe('closedLoop failures', () => {
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  /** The first run succeeds after 100 ms (the window opens then, for 200 ms); later ones fail after `failAfterMs`. */
  const runs = (failAfterMs: number) => {
    let calls = 0;
    return async () => {
      calls += 1;
      if (calls === 1) return sleep(100);
      await sleep(failAfterMs);
      throw new Error('cut short');
    };
  };

  it('counts a failure inside the window, and none that ends after it (a run cut short as it closes)', async () => {
    const inside = await onFakeClock(() => closedLoop(1, 0.2, runs(50)));
    expect(inside.failed).toBeGreaterThanOrEqual(1);
    expect(inside.firstError).toBe('cut short');
    const after = await onFakeClock(() => closedLoop(1, 0.2, runs(400)));
    expect(after.failed).toBe(0);
    expect(after.firstError).toBeUndefined();
  });
});

describe('closedLoop stagger', () => {
  it('spreads the callers\' first runs over the first half of the ramp', async () => {
    const firstAt = new Map<number, number>();
    await onFakeClock(() => {
      const begun = performance.now();
      return closedLoop(
        4,
        0.05,
        async (caller) => {
          if (!firstAt.has(caller)) firstAt.set(caller, performance.now() - begun);
          await new Promise((r) => setTimeout(r, 10));
        },
        { rampSeconds: 0.8 },
      );
    });
    // 0, 100, 200 and 300 ms into the 800 ms ramp
    expect([0, 1, 2, 3].map((caller) => firstAt.get(caller))).toEqual([0, 100, 200, 300]);
  });
});

describe('turnOrder', () => {
  it('starts each step with the next workload and reverses every other step', () => {
    const keys = ['f', 'a', 'd', 'c'];
    expect([0, 1, 2, 3].map((i) => turnOrder(keys, i).join(''))).toEqual(['fadc', 'fcda', 'dcfa', 'dafc']);
  });

  it('over four steps, puts no workload first every time and none always after the same one', () => {
    const keys = ['f', 'a', 'd', 'c'];
    const turns = [0, 1, 2, 3].map((i) => turnOrder(keys, i));
    expect(new Set(turns.map((t) => t[0])).size).toBeGreaterThan(1);
    for (const k of keys) {
      const before = new Set(turns.map((t) => t[t.indexOf(k) - 1]).filter(Boolean));
      expect(before.size).toBeGreaterThan(1);
    }
  });

  it('leaves the list it is given alone', () => {
    const keys = ['d', 'c'];
    turnOrder(keys, 1);
    expect(keys).toEqual(['d', 'c']);
  });
});
