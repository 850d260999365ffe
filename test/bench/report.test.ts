import { describe, expect, it } from 'vitest';
import { type ScaleResult, type StepResult, type WorkloadResult, cpuPerOrder, renderReport, saturation, targets } from '../../bench/report.js';

const step = (concurrency: number, perSecond: number): StepResult => ({
  concurrency,
  started: perSecond * 10,
  completed: perSecond * 10,
  failed: 0,
  seconds: 10,
  perSecond,
  latencyMs: { p50: 100, p95: 200, p99: 300 },
  usage: { worker: { cpuSeconds: 1, peakRssBytes: 300 * 2 ** 20 } },
  calls: {},
});
const workload = (key: WorkloadResult['key'], rates: number[]): WorkloadResult => ({
  key,
  name: key,
  steps: rates.map((r, i) => step(8 ** i, r)),
});

const scaleResult = (overrides: Partial<ScaleResult> = {}): ScaleResult => ({
  orders: 100,
  openedPerSecond: 10,
  openSeconds: 10,
  maxCachedWorkflows: 50,
  workerPeakRssBytes: 1,
  workerRssAfterBytes: 1,
  cpuMsPerOrder: { worker: 1 },
  databaseBytesPerOrder: 1,
  databaseRowsPerOrder: 1,
  wave: { server: 's', orders: 100, notices: 100, noticesPerSecond: 10, secondsToLast: 10, missing: 0, doubled: 0, early: 0, workerPeakRssBytes: 1, seconds: 20 },
  ...overrides,
});

describe('saturation', () => {
  it('is the step with the most completed orders per second', () => {
    expect(saturation(workload('f', [10, 30, 25]))?.concurrency).toBe(8);
    expect(saturation(workload('f', []))).toBeUndefined();
  });
});

describe('targets', () => {
  it('compares the engine with the floor, the naive design and itself without HTTP, at saturation', () => {
    const verdicts = targets([workload('f', [10, 30]), workload('a', [5, 10]), workload('d', [10, 22]), workload('c', [9, 21])]);
    expect(verdicts.map((t) => [t.name, t.pass])).toEqual([
      ['c ≥ 0.65 × f', true],
      ['c ≥ 2 × a', true],
      ['c ≥ 0.9 × d', true],
      [`engine's CPU per order over the floor's ≤ 58 ms (a third off 87, 0b0a4f3, measured on another day)`, true],
    ]);
    const missed = targets([workload('f', [40]), workload('a', [11]), workload('d', [30]), workload('c', [21])]);
    expect(missed.map((t) => t.pass)).toEqual([false, false, false, true]);
    expect(missed[0]!.detail).toContain('c 21.0 vs 0.65 × f = 26.0');
  });

  it("holds the engine's CPU per order over the floor's, all four processes, to a third off where this issue began", () => {
    const costing = (key: WorkloadResult['key'], msPerOrder: Record<string, number>): WorkloadResult => {
      const s = step(8, 10);
      const usage = Object.fromEntries(Object.entries(msPerOrder).map(([p, ms]) => [p, { cpuSeconds: (ms * s.completed) / 1000, peakRssBytes: 1 }]));
      return { key, name: key, steps: [{ ...s, usage }] };
    };
    const floor = costing('f', { worker: 20, server: 25, bench: 500 });
    expect(cpuPerOrder(floor)).toBeCloseTo(45);
    const within = targets([floor, costing('c', { worker: 50, api: 10, server: 35, postgres: 8 })]).at(-1)!;
    expect(within).toMatchObject({ pass: true, detail: 'c 103 − f 45 = 58 ms (worker, API, server, PostgreSQL)' });
    expect(targets([floor, costing('c', { worker: 50, api: 10, server: 36, postgres: 8 })]).at(-1)!.pass).toBe(false);
    // Run against another commit, the same run's figure for that commit is the reference.
    const then = [{ ...costing('f', { worker: 20, server: 25 }), against: 'abc1234' }, { ...costing('c', { worker: 80, api: 10, server: 40, postgres: 5 }), against: 'abc1234' }];
    const judged = targets([floor, costing('c', { worker: 50, api: 10, server: 36, postgres: 8 }), ...then]).at(-1)!;
    expect(judged).toMatchObject({ name: "engine's CPU per order over the floor's ≤ 60 ms (a third off 90, abc1234)", pass: true });
  });

  it('judges this checkout only, and compares it with a commit run against it', () => {
    const old = { ...workload('c', [5, 9]), name: 'c @ abc1234', against: 'abc1234', replay: { histories: 10, cpuMsPerOrder: 31.5 } };
    const verdicts = targets([workload('f', [10, 30]), old, workload('c', [9, 21])]);
    expect(verdicts[0]).toMatchObject({ name: 'c ≥ 0.65 × f', pass: true });
    const text = renderReport([workload('f', [10, 30]), { ...workload('f', [10, 20]), against: 'abc1234' }, old, workload('c', [9, 21])], undefined, 'bench');
    expect(text).toContain('this checkout against abc1234, each at saturation (c/f: this 0.70, abc1234 0.45)');
    expect(text).toMatch(/\| c \| abc1234 \| 9\.0 \| 11 · - · - · - \| 11 \| 31\.5 \| - \|/);
  });

  it('passes the scale targets only under 1 GiB and with every notice recorded once', () => {
    const scale = scaleResult({ workerPeakRssBytes: 2 ** 30 - 1 });
    expect(targets([], scale).map((t) => t.pass)).toEqual([true, true]);
    expect(targets([], { ...scale, workerPeakRssBytes: 2 ** 30 }).map((t) => t.pass)).toEqual([false, true]);
    expect(targets([], { ...scale, wave: { ...scale.wave!, notices: 99, missing: 1 } }).map((t) => t.pass)).toEqual([true, false]);
    expect(targets([], { ...scale, wave: { ...scale.wave!, notices: 101, doubled: 1 } }).map((t) => t.pass)).toEqual([true, false]);
    // a notice sent before the clock skipped was no part of a wave
    expect(targets([], { ...scale, wave: { ...scale.wave!, early: 1 } }).map((t) => t.pass)).toEqual([true, false]);
  });

  it('holds the quick, the default and the scale run to their budget, and says where the time went', () => {
    const scale = scaleResult({
      orders: 1000,
      openSeconds: 100,
      cpuMsPerOrder: { worker: 40, server: 50, postgres: 10 },
      wave: { ...scaleResult().wave!, seconds: 30 },
    });
    const budget = { name: 'default run under ten minutes', seconds: 600 };
    const run = { seconds: 200, cores: 2, sweepSeconds: 60, budget };
    const inTime = targets([], scale, run).at(-1)!;
    expect(inTime).toMatchObject({ name: 'default run under ten minutes', pass: true });
    // 1000 orders at 100 ms of CPU each need 50 s of two cores; what is not a phase is the rest
    expect(inTime.detail).toBe(
      '200 s of 600 s: workloads set up and swept 60 s, 1000 orders opened 100 s, dunning wave 30 s, the rest 10 s; ' +
        'at 100 ms of CPU per order opened (worker 40, server 50, postgres 10), 1000 orders need at least 50 s on 2 cores',
    );
    expect(targets([], scale, { ...run, seconds: 600 }).at(-1)!.pass).toBe(false);
    const quick = targets([workload('f', [10])], undefined, { seconds: 45, cores: 2, sweepSeconds: 40, budget: { name: 'quick run under a minute', seconds: 60 } });
    expect(quick.map((t) => [t.name, t.pass, t.detail])).toEqual([['quick run under a minute', true, '45 s of 60 s: workloads set up and swept 40 s, the rest 5 s']]);
    // the scale run sweeps nothing: its phases are the open orders and the rest
    const scaleRun = targets([], { ...scale, orders: 10_000, openSeconds: 600, wave: undefined }, { seconds: 640, cores: 2, budget: { name: 'scale run under fifteen minutes', seconds: 900 } });
    expect(scaleRun.at(-1)).toEqual({
      name: 'scale run under fifteen minutes',
      pass: true,
      detail:
        '640 s of 900 s: 10000 orders opened 600 s, the rest 40 s; ' +
        'at 100 ms of CPU per order opened (worker 40, server 50, postgres 10), 10000 orders need at least 500 s on 2 cores',
    });
    // a run that flags reshaped has no budget to be held to
    expect(targets([], scale, { seconds: 900, cores: 2, sweepSeconds: 60 }).map((t) => t.name)).not.toContain(budget.name);
  });

  it('renders every step, the per-order costs and each verdict', () => {
    const text = renderReport([workload('f', [10, 40]), workload('c', [9, 21])], undefined, 'bench');
    expect(text).toContain('| f f | 8 | 40.0 |');
    expect(text).toContain('| c ≥ 0.65 × f | MISS |');
  });

  it('prints no tables of workloads for the scale run, which sweeps nothing, and its budget as the last target', () => {
    const run = { seconds: 640, cores: 2, budget: { name: 'scale run under fifteen minutes', seconds: 900 } };
    const text = renderReport([], scaleResult({ orders: 10_000, wave: undefined }), 'bench (scale)', run);
    expect(text).not.toContain('| workload |');
    expect(text.split('\n').at(-1)).toMatch(/^\| scale run under fifteen minutes \| pass \| 640 s of 900 s: 10000 orders opened 10 s, the rest 630 s;/);
  });

  it('shows the sampled events and workflow tasks per order of each step, or a dash where none was sampled', () => {
    const w = workload('d', [10, 20]);
    w.steps[1]!.histories = { sampled: 10, events: 31.4, workflowTasks: 3.25 };
    const rows = renderReport([w], undefined, 'bench').split('\n').filter((l) => l.startsWith('| d d |'));
    expect(rows[0]).toMatch(/\| - \|$/);
    expect(rows[1]).toMatch(/\| 31\.4 · 3\.3 \|$/);
  });

  it('takes the rows per order from an earlier step when the saturating one was not drained', () => {
    const w = workload('d', [10, 20]);
    w.steps[0]!.database = { rowsPerOrder: 22, bytesPerOrder: 6400 };
    const row = renderReport([w], undefined, 'bench').split('\n').find((l) => l.startsWith('| d d | 20.0 |'));
    expect(row).toMatch(/\| 22\.0 \| 6400 \| - \| - \|$/);
  });
});
