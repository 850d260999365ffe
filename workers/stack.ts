// `npm start`: the whole engine in one process with zero configuration. It starts (or
// connects to) Temporal, opens the database (PGlite under DATA_DIR unless DATABASE_URL is
// set), migrates it, and runs the worker and the API side by side until Ctrl-C.
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type DatabaseHandle, openDatabase } from '../db/client.js';
import { buildApp } from '../api/app.js';
import { registerBootstrapKey } from '../api/auth.js';
import { EngineAdmission } from '../api/admission.js';
import { apiAccessEnv } from '../api/config.js';
import { ORDER_SEARCH_ATTRIBUTE_KEYS } from '../workflows/order/contract.js';
import { connectWorker, createOrderWorker } from './order-worker.js';
import { boolFlag, hostPort, loadEnv, logLevel, port, postgresUrl, temporalEnv, temporalSettings, z } from './runtime/env.js';
import { ensureDevKeys } from './runtime/dev-keys.js';
import { installRuntime } from './runtime/logging.js';
import { checkPorts } from './runtime/ports.js';
import { onShutdown } from './runtime/shutdown.js';
import { connectClient } from './runtime/temporal-client.js';
import { CLI, installTemporalBinaries, resolveTemporalExecutable } from './runtime/temporal-binaries.js';
import { DEV_SERVER_ARGS } from './runtime/temporal-servers.js';

const env = loadEnv({
  ...temporalEnv,
  // Unset: start an embedded dev server. Set: use that cluster and start none.
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_ALLOW_DOWNLOAD: boolFlag(true),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port(3000),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('data'),
  LOG_LEVEL: logLevel,
  API_BOOTSTRAP_KEY: apiAccessEnv.API_BOOTSTRAP_KEY,
  // The demo profile is on here: this is the stack newcomers and `npm run demo` use.
  API_ENGINE_CALLS: apiAccessEnv.API_ENGINE_CALLS,
  ORDER_POLICIES: apiAccessEnv.ORDER_POLICIES('standard,demo'),
});

// Ports before anything starts: a taken one stops start-up at once, naming it.
const portProblem = await checkPorts([
  { port: env.PORT, host: env.HOST, what: 'the API', variable: 'PORT' },
  ...(env.TEMPORAL_ADDRESS
    ? []
    : [
        { port: env.TEMPORAL_PORT, host: '127.0.0.1', what: 'Temporal gRPC', variable: 'TEMPORAL_PORT' },
        { port: env.TEMPORAL_UI_PORT, host: '127.0.0.1', what: 'Temporal UI', variable: 'TEMPORAL_UI_PORT' },
      ]),
]);
if (portProblem) {
  process.stderr.write(`${portProblem}\n`);
  process.exit(1);
}

installRuntime(env.LOG_LEVEL);

const dataDir = path.resolve(env.DATA_DIR);
const say = (line: string) => process.stdout.write(`${line}\n`);
const cleanups: Array<() => Promise<void>> = [];
let stopping = false;

async function stopAll(): Promise<void> {
  stopping = true;
  let clean = true;
  // Reverse start order: API, worker, connections, Temporal, database.
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      clean = false;
      process.stderr.write(`while stopping: ${(err as Error).message}\n`);
    }
  }
  say(clean ? 'stopped cleanly' : 'stopped, with errors above');
  if (!clean) process.exitCode = 1;
}
onShutdown(stopAll);

try {
  // Database first: a broken migration should stop start-up before anything else runs.
  const database: DatabaseHandle = env.DATABASE_URL
    ? await openDatabase({ kind: 'postgres', url: env.DATABASE_URL })
    : await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
  cleanups.push(() => database.close());
  await database.migrate();
  if (env.API_BOOTSTRAP_KEY) await registerBootstrapKey(database.db, env.API_BOOTSTRAP_KEY);
  const keysFile = path.join(dataDir, 'api-keys.json');
  const devKeys = await ensureDevKeys(database.db, keysFile);

  let temporalAddress = env.TEMPORAL_ADDRESS;
  let temporalUi: string | undefined;
  if (!temporalAddress) {
    if (!process.env.TEMPORAL_CLI_PATH) {
      try {
        installTemporalBinaries({ log: say });
      } catch (err) {
        // The resolver below still tries the SDK's download, or names the fix.
        process.stderr.write(`could not install the Temporal CLI: ${(err as Error).message}\n`);
      }
    }
    const devServer = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: resolveTemporalExecutable(CLI, { allowDownload: env.TEMPORAL_ALLOW_DOWNLOAD }),
        // A file keeps every workflow across restarts.
        dbFilename: path.join(dataDir, 'temporal.sqlite'),
        namespace: env.TEMPORAL_NAMESPACE,
        ip: '127.0.0.1',
        port: env.TEMPORAL_PORT,
        ui: true,
        uiPort: env.TEMPORAL_UI_PORT,
        searchAttributes: ORDER_SEARCH_ATTRIBUTE_KEYS,
        extraArgs: DEV_SERVER_ARGS,
      },
    });
    cleanups.push(() => devServer.teardown());
    temporalAddress = devServer.address;
    temporalUi = `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`;
  }
  const temporal = temporalSettings({ ...env, TEMPORAL_ADDRESS: temporalAddress });

  const nativeConnection = await connectWorker(temporal);
  cleanups.push(() => nativeConnection.close());
  const worker = await createOrderWorker({ connection: nativeConnection, namespace: temporal.namespace, db: database.db });
  const running = worker.run();
  cleanups.push(async () => {
    worker.shutdown();
    await running;
  });
  running.catch((err: unknown) => {
    if (stopping) return;
    process.stderr.write(`worker failed: ${(err as Error).message}\n`);
    void stopAll().then(() => process.exit(1));
  });

  const client = await connectClient(temporal);
  cleanups.push(() => client.connection.close());
  const app = await buildApp(
    { temporal: client, namespace: temporal.namespace, database, policies: env.ORDER_POLICIES, admission: new EngineAdmission(env.API_ENGINE_CALLS) },
    { logger: { level: env.LOG_LEVEL } },
  );
  cleanups.push(() => app.close());
  const apiUrl = await app.listen({ host: env.HOST, port: env.PORT });

  say('');
  say('o2c engine is running (Ctrl-C stops everything)');
  say(`  API            ${apiUrl}`);
  say(`  OpenAPI docs   ${apiUrl}/docs  (spec: ${apiUrl}/openapi.json)`);
  say(`  Temporal       ${temporal.address}  namespace ${temporal.namespace}${temporalUi ? ' (embedded dev server)' : ''}`);
  if (temporalUi) say(`  Temporal UI    ${temporalUi}`);
  say(`  Database       ${env.DATABASE_URL ? redact(env.DATABASE_URL) : `PGlite in ${path.join(dataDir, 'pglite')}`}`);
  if (devKeys.keys && devKeys.created) {
    // The only time a key is printed: when it is created. Later starts name the file alone.
    say(`  API keys       ${keysFile} (new: one per role; printed this once, the file keeps them)`);
    for (const [role, key] of Object.entries(devKeys.keys)) say(`    ${role.padEnd(9)} ${key.secret}`);
  } else if (devKeys.keys) {
    say(`  API keys       ${keysFile}`);
  } else {
    say('  API keys       create one with: npm run keys -- create <name> <service|finance|operator>');
  }
  // One machine-readable line for scripts and tests that drive `npm start`.
  say(
    `READY ${JSON.stringify({ api: apiUrl, temporal: temporal.address, temporalUi: temporalUi ?? null, pid: process.pid, apiKeys: devKeys.keys ? keysFile : null })}`,
  );
} catch (err) {
  process.stderr.write(`start-up failed: ${(err as Error).message}\n`);
  await stopAll();
  process.exit(1);
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
