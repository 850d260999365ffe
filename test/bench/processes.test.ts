import { describe, expect, it } from 'vitest';
import { UsageMeter, childrenOf, cpuSeconds, machineBusySeconds, processesNamed, rssBytes } from '../../bench/processes.js';

describe('process readings from /proc', () => {
  it('reads CPU time, memory and the machine busy time, and a meter sees CPU spent while it runs', async () => {
    expect(rssBytes(process.pid)).toBeGreaterThan(10 * 2 ** 20);
    expect(machineBusySeconds()).toBeGreaterThan(0);
    const before = cpuSeconds(process.pid);
    const meter = new UsageMeter({ self: process.pid });
    const until = Date.now() + 300;
    let spin = 0;
    while (Date.now() < until) spin += 1;
    const usage = meter.stop();
    expect(spin).toBeGreaterThan(0);
    expect(cpuSeconds(process.pid) - before).toBeGreaterThanOrEqual(0.2);
    expect(usage.self!.cpuSeconds).toBeGreaterThanOrEqual(0.2);
    expect(usage.self!.peakRssBytes).toBeGreaterThan(0);
    expect(usage.machine!.cpuSeconds).toBeGreaterThanOrEqual(0.2);
    expect(usage.postgres).toBeDefined();
  });

  it('finds PostgreSQL by name and no children of a process that has none', () => {
    // The tests run against a live PostgreSQL.
    expect(processesNamed('postgres').length).toBeGreaterThan(0);
    expect(childrenOf(process.pid, 'no-such-command-line')).toEqual([]);
  });
});
