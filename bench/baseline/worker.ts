// The baselines' worker, a process of its own like the engine's, so its CPU time and
// memory are measured apart from the load it serves.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { WORKFLOW_PRELOAD_MODULES } from '../../workers/order-worker.js';
import { installRuntime } from '../../workers/runtime/logging.js';
import { onShutdown } from '../../workers/runtime/shutdown.js';
import { createBaselineActivities } from './activities.js';
import { BASELINE_TASK_QUEUE } from './workflows.js';

installRuntime(process.env.LOG_LEVEL ?? 'warn');
const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
const worker = await Worker.create({
  connection,
  taskQueue: BASELINE_TASK_QUEUE,
  // Built ahead of time like the engine's, or bundled here.
  ...(process.env.WORKFLOW_BUNDLE
    ? { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE } }
    : { workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)), bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } }),
  activities: createBaselineActivities(),
  // As many workflow threads as the engine's worker runs, so the baselines are not held back.
  workflowThreadPoolSize: 2,
});
const running = worker.run();
onShutdown(async () => {
  worker.shutdown();
  await running;
});
await running;
await connection.close();
