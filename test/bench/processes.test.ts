import { describe, expect, it } from 'vitest';
import { UsageMeter, childrenOf, cpuSeconds, machineBusySeconds, processesNamed, rssBytes } from '../../bench/processes.js';

describe('process readings from /proc', () => {
  it('reads CPU time, memory and the machine busy time, and a meter sees CPU spent while it runs', async () => {
    expect(rssBytes(process.pid)).toBeGreaterThan(10 * 2 ** 20);
    expect(machineBusySeconds()).toBeGreaterThan(0);
    const before = cpuSeconds(process.pid);
    const meter = new UsageMeter({ self: process.pid });
    // A fixed amount of work, not of time: on a busy machine it takes longer but costs the same
    // CPU, tens of milliseconds, several of /proc's 10 ms ticks.
    let sum = 0;
    for (let i = 0; i < 60_000_000; i++) sum = (sum + i) % 1_000_003;
    const usage = meter.stop();
    const spent = cpuSeconds(process.pid) - before;
    expect(sum).toBeGreaterThanOrEqual(0);
    expect(spent).toBeGreaterThan(0);
    expect(usage.self!.cpuSeconds).toBeGreaterThan(0);
    // The meter reads the same counters over a window inside the direct reading's.
    expect(usage.self!.cpuSeconds).toBeLessThanOrEqual(spent + 0.01);
    expect(usage.self!.peakRssBytes).toBeGreaterThan(0);
    expect(usage.machine!.cpuSeconds).toBeGreaterThan(0);
    expect(usage.postgres).toBeDefined();
  });

  it('finds PostgreSQL by name and no children of a process that has none', () => {
    // The tests run against a live PostgreSQL.
    expect(processesNamed('postgres').length).toBeGreaterThan(0);
    expect(childrenOf(process.pid, 'no-such-command-line')).toEqual([]);
  });
});
