import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ORDER_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/order/contract.js';
import { CLI, TEST_SERVER, resolveTemporalExecutable } from '../../workers/runtime/temporal-binaries.js';
import { registerOrderSearchAttributes } from '../../workers/runtime/temporal-servers.js';

// Tests run only against the pinned local binaries: a silent download would hide a broken install.
const local = { allowDownload: false } as const;

// The dev server prints a banner (its version and addresses) on stdout at every start; the
// tests never read it, so `--output none` drops it. Its log lines (warnings and errors, on
// stderr) still show.
const NO_BANNER = ['--output', 'none'];

/**
 * The dev server (default for workflow tests): visibility and search attributes work.
 * `extraArgs` go to `temporal server start-dev` (dynamic config values, for instance). A test
 * that stops and starts it again gives the same `port` and a `dbFilename` to keep its state in.
 */
export function startDevServer(
  options: { extraNamespaces?: string[]; extraArgs?: string[]; port?: number; dbFilename?: string } = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: resolveTemporalExecutable(CLI, local),
      searchAttributes: ORDER_SEARCH_ATTRIBUTE_KEYS,
      extraArgs: [...NO_BANNER, ...(options.extraNamespaces ?? []).flatMap((ns) => ['--namespace', ns]), ...(options.extraArgs ?? [])],
      ...(options.port ? { ip: '127.0.0.1', port: options.port } : {}),
      ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
    },
  });
}

/**
 * The time-skipping server, for tests that wait on long timers. It knows no custom search
 * attributes until told, and an order is started with some of them set.
 */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: resolveTemporalExecutable(TEST_SERVER, local) },
  });
  await registerOrderSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}
