// The bench's processes: the engine's worker and API run as their own processes, started
// the way production starts them, so that each one's CPU time and memory are its own.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident memory of a process now, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Every process whose command name is `comm` (PostgreSQL's server and its backends). */
export function processesNamed(comm: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** CPU seconds the whole machine has been busy (all cores, everything but idle and iowait). */
export function machineBusySeconds(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}

/** The child processes of `pid` whose command line contains `needle`. */
export function childrenOf(pid: number, needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export interface Usage {
  cpuSeconds: number;
  peakRssBytes: number;
}

/**
 * Watches named processes over one measured stretch: CPU time used between start and stop,
 * and the highest resident memory seen (sampled every 200 ms).
 */
export class UsageMeter {
  private readonly startCpu = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  /** PostgreSQL's processes and their CPU time when the stretch began; backends come and go. */
  private readonly postgresCpu = this.postgresSeconds();
  private readonly machineCpu = machineBusySeconds();

  constructor(private readonly pids: Record<string, number>) {
    for (const [name, pid] of Object.entries(pids)) {
      this.startCpu.set(name, cpuSeconds(pid));
      this.peak.set(name, rssBytes(pid));
    }
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      try {
        this.peak.set(name, Math.max(this.peak.get(name) ?? 0, rssBytes(pid)));
      } catch {
        // the process ended; its last sample stands
      }
    }
  }

  private postgresSeconds(): Map<number, number> {
    const out = new Map<number, number>();
    for (const pid of processesNamed('postgres')) {
      try {
        out.set(pid, cpuSeconds(pid));
      } catch {
        // ended meanwhile
      }
    }
    return out;
  }

  /**
   * Each watched process's CPU time and peak memory, plus PostgreSQL's CPU time (all its
   * processes; no memory, as they share it) and the whole machine's busy CPU time.
   */
  stop(): Record<string, Usage> {
    clearInterval(this.timer);
    this.sample();
    const out: Record<string, Usage> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      out[name] = { cpuSeconds: cpuSeconds(pid) - this.startCpu.get(name)!, peakRssBytes: this.peak.get(name)! };
    }
    // A backend begun during the stretch counts whole; one that ended is lost to the count.
    let postgres = 0;
    for (const [pid, now] of this.postgresSeconds()) postgres += now - (this.postgresCpu.get(pid) ?? 0);
    out.postgres = { cpuSeconds: postgres, peakRssBytes: 0 };
    out.machine = { cpuSeconds: machineBusySeconds() - this.machineCpu, peakRssBytes: 0 };
    return out;
  }
}

export interface NodeProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The last of what it printed. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <script>` (the engine's own entry points) and waits until
 * `ready` (given what it printed so far) says yes or the process exits. Its output is kept and shown if it fails.
 */
export async function startNode(
  name: string,
  script: string,
  env: Record<string, string>,
  ready: (output: string) => Promise<boolean>,
  timeoutMs = 90_000,
  nodeArgs: string[] = [],
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${name} exited with ${exitCode} before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready within ${timeoutMs} ms:\n${output}`);
    }
    if (await ready(output).catch(() => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    child,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
