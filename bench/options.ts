// What a bench command runs, read from its arguments, and the budget it is held to.
//
// `npm run bench` sweeps the workloads, opens a few thousand orders and runs the dunning wave;
// `npm run bench:scale` (the same entry with `scale` first) opens 10,000 orders and nothing else.
import type { WorkloadKey } from './report.js';

export type BenchCommand = 'default' | 'quick' | 'scale';

export interface Budget {
  name: string;
  seconds: number;
}

export interface BenchOptions {
  command: BenchCommand;
  quick: boolean;
  profile: boolean;
  only: Set<WorkloadKey>;
  sweep: number[];
  secondsPerStep: number;
  /** Least seconds before each step's counted window opens (it also waits for every caller's first order). */
  rampSeconds: number;
  scaleOrders: number;
  waveOrders: number;
  /** Another commit whose workloads take turns with this checkout's (`--against=REV`). */
  against?: string;
  /** Unset when a flag reshapes the run: its length then says nothing about the command's. */
  budget?: Budget;
}

/**
 * Orders the default run opens: four times the worker's cache, so most are still evicted. On
 * two cores the dev server opens 15 to 25 a second, so 2,000 take 80 to 135 s, next to 145 to
 * 195 s of setting up and sweeping and about 60 s of the dunning wave: 300 to 400 s in all. A
 * default run took 299 s (2026-12-02: sweep 177 s, 2,000 orders 75 s at 62 ms of CPU each,
 * wave 40 s). An order costs less CPU to open among 2,000 than among 10,000 (104 to 110 ms).
 */
export const DEFAULT_SCALE_ORDERS = 2_000;
/** Orders `npm run bench:scale` opens. */
export const SCALE_RUN_ORDERS = 10_000;
/** Orders of the dunning wave, in the default run. */
export const DEFAULT_WAVE_ORDERS = 1_000;

/**
 * Each command's budget, on two cores. The scale run's is derived from the CPU the open orders
 * measure: 10,000 at 104 to 110 ms each need 520 to 550 s of two cores at the very least, and
 * took about 600 s of wall time; with the run's setup (tens of seconds) and this machine's
 * drift of a quarter over minutes (600 × 1.25 = 750 s), fifteen minutes leaves room without
 * hiding a regression of a fifth or more.
 */
export const BUDGETS: Record<BenchCommand, Budget> = {
  quick: { name: 'quick run under a minute', seconds: 60 },
  default: { name: 'default run under ten minutes', seconds: 600 },
  scale: { name: 'scale run under fifteen minutes', seconds: 900 },
};

/** Flags that change what a run does, and so its length: such a run has no budget. */
const RESHAPING = ['only', 'sweep', 'seconds', 'scale', 'no-scale', 'wave', 'profile', 'against'] as const;
/** Flags that shape the sweep, which the scale run has none of. */
const SWEEP_FLAGS = ['quick', 'only', 'sweep', 'seconds', 'no-scale', 'against'] as const;

export const USAGE = `npm run bench [-- --quick] [-- --only=f,a,d,c] [-- --sweep=1,8] [-- --seconds=S]
  [-- --no-scale] [-- --scale=N] [-- --wave=N] [-- --profile] [-- --against=REV]
    the sweep of every workload, ${DEFAULT_SCALE_ORDERS} open orders and a dunning wave of ${DEFAULT_WAVE_ORDERS};
    budget: ${BUDGETS.default.name} (--quick: ${BUDGETS.quick.name})
npm run bench:scale [-- --scale=N] [-- --wave=N] [-- --profile]
    ${SCALE_RUN_ORDERS} open orders with the worker's cache bounded, no sweep and no wave unless --wave=N;
    budget: ${BUDGETS.scale.name}
--against=REV: each workload also runs commit REV's code (its worker, API, workflow bundle and
    dev server settings), in turns with this checkout's, and the report compares the two.
Any flag but --quick reshapes the run, which then has no budget.`;

export function parseOptions(argv: string[]): BenchOptions {
  const command: BenchCommand = argv[0] === 'scale' ? 'scale' : argv.some((a) => a === '--quick') ? 'quick' : 'default';
  const args = command === 'scale' ? argv.slice(1) : argv;
  const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const value = (name: string) => flag(name)?.split('=')[1];
  if (command === 'scale') {
    const misplaced = SWEEP_FLAGS.filter((name) => flag(name));
    if (misplaced.length > 0) throw new Error(`npm run bench:scale runs no sweep: leave ${misplaced.map((n) => `--${n}`).join(', ')} to npm run bench`);
  }
  const quick = command === 'quick';
  const scaleOrders = flag('no-scale') ? 0 : Number(value('scale') ?? (quick ? 0 : command === 'scale' ? SCALE_RUN_ORDERS : DEFAULT_SCALE_ORDERS));
  const reshaped = RESHAPING.some((name) => flag(name));
  return {
    command,
    quick,
    profile: Boolean(flag('profile')),
    only: new Set((command === 'scale' ? '' : (value('only') ?? 'f,a,d,c')).split(',').filter(Boolean) as WorkloadKey[]),
    // The quick run takes one step, at 8 callers, where every workload's orders take less than
    // its window: at 32 an order of the naive design takes longer than a short window, which
    // then counts a burst of completions or none.
    sweep: (value('sweep') ?? (quick ? '8' : '1,8,32,128')).split(',').map(Number),
    // Short steps: the open orders and the wave take a third of a default run; the quick run stays under a minute.
    secondsPerStep: Number(value('seconds') ?? (quick ? 2 : 5)),
    rampSeconds: quick ? 1 : 2,
    scaleOrders,
    // The wave's orders are opened again on the time-skipping server: the default run's only.
    waveOrders: scaleOrders === 0 ? 0 : Number(value('wave') ?? (command === 'scale' ? 0 : DEFAULT_WAVE_ORDERS)),
    ...(value('against') ? { against: value('against') } : {}),
    ...(reshaped ? {} : { budget: BUDGETS[command] }),
  };
}
