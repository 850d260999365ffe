// `npm run worker`: polls the order task queue until SIGINT/SIGTERM, then drains.
import { openDatabase } from '../db/client.js';
import { workerEnv } from './config.js';
import { connectWorker, createOrderWorker } from './order-worker.js';
import { loadEnv, temporalSettings } from './runtime/env.js';
import { installRuntime } from './runtime/logging.js';
import { onShutdown } from './runtime/shutdown.js';

const env = loadEnv(workerEnv);
installRuntime(env.LOG_LEVEL);
const temporal = temporalSettings(env);
const database = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL });
const connection = await connectWorker(temporal);
const worker = await createOrderWorker({
  connection,
  namespace: temporal.namespace,
  db: database.db,
  ...(env.WORKER_MAX_CACHED_WORKFLOWS !== undefined ? { maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS } : {}),
  ...(env.WORKFLOW_BUNDLE ? { workflowBundle: { codePath: env.WORKFLOW_BUNDLE } } : {}),
  ...(env.WORKER_WORKFLOW_THREADS !== undefined ? { workflowThreads: env.WORKER_WORKFLOW_THREADS } : {}),
});

// run() settles once polling has stopped and in-flight tasks have finished.
const running = worker.run();
let closing: Promise<void> | undefined;
const close = () =>
  (closing ??= (async () => {
    await running.catch(() => {});
    await connection.close();
    await database.close();
  })());

onShutdown(async () => {
  worker.shutdown();
  await close();
});
try {
  await running;
} catch (err) {
  console.error(`worker failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
await close();
