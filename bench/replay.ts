// The worker's share of an order, apart from everything else a worker does: recorded order
// histories replayed through a bundle, with this process's CPU time per history. Replay runs
// the workflow code exactly as a worker does when it takes a task (the sandbox, its promise
// hooks, the SDK's state machines) without the server, the network or the activities, so two
// bundles compared this way differ by their workflow code and its sandbox settings alone.
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import type { History } from '@temporalio/common/lib/proto-utils.js';

export interface ReplayCost {
  /** Distinct histories replayed (each several times). */
  histories: number;
  /** CPU ms per history replayed, fixed costs (the replay worker's start) left out. */
  cpuMsPerOrder: number;
}

/** Process CPU ms (all threads: replay runs workflow code on its own threads). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function replayAll(codePath: string, histories: History[], rounds: number): Promise<number> {
  const workflowId = (i: number) => `replay-${i}`;
  const all = Array.from({ length: rounds }, () => histories).flat();
  const before = cpuMs();
  const options: ReplayWorkerOptions = { workflowBundle: { codePath } };
  for await (const result of Worker.runReplayHistories(
    options,
    all.map((history, i) => ({ workflowId: workflowId(i), history })),
  )) {
    if (result.error) throw new Error(`replay of ${result.workflowId} failed: ${result.error.message}`);
  }
  return cpuMs() - before;
}

/**
 * CPU per history of `histories` through the bundle at `codePath`: one short and one long
 * batch, each in a replay worker of its own, and the difference divided by the histories
 * between them, so that starting a replay worker is not counted.
 */
export async function replayCost(codePath: string, histories: History[], rounds = 10): Promise<ReplayCost> {
  if (histories.length === 0) return { histories: 0, cpuMsPerOrder: Number.NaN };
  await replayAll(codePath, histories, 1); // warm-up: the bundle loaded and compiled once
  const short = await replayAll(codePath, histories, 1);
  const long = await replayAll(codePath, histories, 1 + rounds);
  return { histories: histories.length, cpuMsPerOrder: (long - short) / (histories.length * rounds) };
}
