import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { Database } from '../db/client.js';
import { ORDER_TASK_QUEUE } from '../workflows/order/contract.js';
import type { TemporalConnectionSettings } from './runtime/env.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Run once in each workflow sandbox before any workflow: how deep promise stack traces go. */
export const WORKFLOW_PRELOAD_MODULES = [fileURLToPath(new URL('../workflows/sandbox/stack-traces.ts', import.meta.url))];

/** How every bundle of workflow code is built: the engine's, the tests' and the bench's floor alike. */
export function workflowBundleOptions(workflowsPath = WORKFLOWS_PATH) {
  return { workflowsPath, preloadModules: WORKFLOW_PRELOAD_MODULES };
}

export interface OrderWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  db: Database;
  taskQueue?: string;
  /** A prebuilt bundle (tests, benchmarks); otherwise workflows are bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  /** Another workflows module to bundle instead of the engine's own (tests). */
  workflowsPath?: string;
  maxCachedWorkflows?: number;
  /** Threads running workflow code (default 2). */
  workflowThreads?: number;
}

export function connectWorker(settings: TemporalConnectionSettings): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: settings.address,
    tls: settings.tls,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  });
}

export function createOrderWorker(deps: OrderWorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue ?? ORDER_TASK_QUEUE,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: deps.workflowsPath ?? WORKFLOWS_PATH, bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } }),
    activities: createActivities({ db: deps.db }),
    ...(deps.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: deps.maxCachedWorkflows } : {}),
    // Lets in-flight activities finish on SIGTERM before the process goes.
    shutdownGraceTime: '10s',
    // One thread runs workflow code serially and was the bottleneck at load (the bench: 17
    // against 20 orders/s on two cores); a third brought nothing more.
    workflowThreadPoolSize: deps.workflowThreads ?? 2,
  });
}
