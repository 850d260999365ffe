import { describe, expect, it } from 'vitest';
import { BUDGETS, DEFAULT_SCALE_ORDERS, DEFAULT_WAVE_ORDERS, SCALE_RUN_ORDERS, parseOptions } from '../../bench/options.js';

describe('bench commands', () => {
  it('runs the sweep, a smaller scale step and the wave by default, held to ten minutes', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({ command: 'default', quick: false, sweep: [1, 8, 32, 128], secondsPerStep: 5, scaleOrders: DEFAULT_SCALE_ORDERS, waveOrders: DEFAULT_WAVE_ORDERS });
    expect([...o.only]).toEqual(['f', 'a', 'd', 'c']);
    expect(o.budget).toEqual({ name: 'default run under ten minutes', seconds: 600 });
    expect(DEFAULT_SCALE_ORDERS).toBeLessThan(SCALE_RUN_ORDERS);
  });

  it('keeps the quick run as it was: one step at 8 callers, no scale step, a minute', () => {
    const o = parseOptions(['--quick']);
    expect(o).toMatchObject({ command: 'quick', quick: true, sweep: [8], secondsPerStep: 2, scaleOrders: 0, waveOrders: 0 });
    expect(o.budget).toEqual(BUDGETS.quick);
  });

  it('opens 10,000 orders in the scale run, with no sweep and no wave, held to its own budget', () => {
    const o = parseOptions(['scale']);
    expect(o).toMatchObject({ command: 'scale', quick: false, scaleOrders: 10_000, waveOrders: 0 });
    expect(o.only.size).toBe(0);
    expect(o.budget).toEqual({ name: 'scale run under fifteen minutes', seconds: 900 });
    // 10,000 orders at 104 to 110 ms of CPU each need 520 to 550 s of two cores at least
    expect((SCALE_RUN_ORDERS * 110) / 1000 / 2).toBeLessThan(BUDGETS.scale.seconds);
    expect((SCALE_RUN_ORDERS * 104) / 1000 / 2).toBeGreaterThan(BUDGETS.default.seconds - 100);
  });

  it('gives no budget to a run that flags reshape, whichever the command', () => {
    for (const argv of [['--only=f'], ['--sweep=1,8'], ['--seconds=2'], ['--scale=500'], ['--no-scale'], ['--wave=10'], ['--profile'], ['--quick', '--only=d']]) {
      expect(parseOptions(argv).budget, argv.join(' ')).toBeUndefined();
    }
    expect(parseOptions(['scale', '--scale=20000']).budget).toBeUndefined();
    const withWave = parseOptions(['scale', '--wave=1000']);
    expect(withWave.waveOrders).toBe(1000);
    expect(withWave.budget).toBeUndefined();
    expect(parseOptions(['--no-scale'])).toMatchObject({ scaleOrders: 0, waveOrders: 0 });
  });

  it('runs another commit beside this checkout with --against, a run without a budget', () => {
    const o = parseOptions(['--against=HEAD~1', '--only=f,c']);
    expect(o).toMatchObject({ command: 'default', against: 'HEAD~1' });
    expect(o.budget).toBeUndefined();
    expect(parseOptions([]).against).toBeUndefined();
    expect(() => parseOptions(['scale', '--against=HEAD~1'])).toThrow(/--against/);
  });

  it('refuses the sweep flags in the scale run, which has no sweep', () => {
    expect(() => parseOptions(['scale', '--quick'])).toThrow(/leave --quick to npm run bench/);
    expect(() => parseOptions(['scale', '--only=f', '--sweep=8'])).toThrow(/--only, --sweep/);
  });
});
