// `npm run bench [-- --quick]`: throughput and latency on a fresh Temporal dev server.
// Figures live here, never in timed tests. Results: a table on stdout and JSON under
// bench/results/ (git-ignored).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { CLI, resolveTemporalExecutable } from '../workers/runtime/temporal-binaries.js';
import { floorOrderWorkflow, payFloorUpdate, shipFloorUpdate } from './floor-workflow.js';
import { type LoopResult, closedLoop } from './stats.js';

const quick = process.argv.includes('--quick');
const sweep = quick ? [1, 8, 32] : [1, 8, 32, 128];
const secondsPerStep = quick ? 5 : 20;
const here = path.dirname(fileURLToPath(import.meta.url));

Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });

const dataDir = mkdtempSync(path.join(tmpdir(), 'o2c-bench-'));
const env = await TestWorkflowEnvironment.createLocal({
  server: {
    executable: resolveTemporalExecutable(CLI, { allowDownload: false }),
    dbFilename: path.join(dataDir, 'temporal.sqlite'),
  },
});

const results: Array<{ workload: string } & LoopResult> = [];
try {
  const taskQueue = 'bench-floor';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: path.join(here, 'floor-workflow.ts'),
  });
  await worker.runUntil(async () => {
    let n = 0;
    const order = async () => {
      const handle = await env.client.workflow.start(floorOrderWorkflow, {
        taskQueue,
        workflowId: `bench-floor-${process.pid}-${++n}`,
      });
      await handle.executeUpdate(shipFloorUpdate);
      await handle.executeUpdate(payFloorUpdate);
      await handle.result();
    };
    await closedLoop(4, 2, order); // warm-up: bundle loaded, caches filled
    for (const concurrency of sweep) {
      const result = await closedLoop(concurrency, secondsPerStep, order);
      results.push({ workload: 'f floor', ...result });
      process.stderr.write(`f floor  c=${concurrency}  ${result.perSecond.toFixed(1)} orders/s\n`);
    }
  });
} finally {
  await env.teardown();
  rmSync(dataDir, { recursive: true, force: true });
}

const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : '-');
console.log(`\nbench ${quick ? '(quick) ' : ''}on ${cpus().length} cores, ${secondsPerStep} s per step, closed loop\n`);
console.log('| workload | concurrency | orders/s | p50 ms | p95 ms | p99 ms | failed |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.workload} | ${r.concurrency} | ${r.perSecond.toFixed(1)} | ${fmt(r.latencyMs.p50)} | ${fmt(r.latencyMs.p95)} | ${fmt(r.latencyMs.p99)} | ${r.failed} |`,
  );
}
const best = results.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
console.log(`\nsaturation: ${best.perSecond.toFixed(1)} orders/s at concurrency ${best.concurrency}`);

const outDir = path.join(here, 'results');
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `bench-${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, `${JSON.stringify({ quick, secondsPerStep, cores: cpus().length, results }, null, 2)}\n`);
console.log(`written to ${path.relative(process.cwd(), file)}`);
