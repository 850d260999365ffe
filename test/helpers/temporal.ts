import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ORDER_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/order/contract.js';
import { CLI, TEST_SERVER, resolveTemporalExecutable } from '../../workers/runtime/temporal-binaries.js';

// Tests run only against the pinned local binaries: a silent download would hide a broken install.
const local = { allowDownload: false } as const;

/** The dev server (default for workflow tests): visibility and search attributes work. */
export function startDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: resolveTemporalExecutable(CLI, local), searchAttributes: ORDER_SEARCH_ATTRIBUTE_KEYS },
  });
}

/** The time-skipping server, for tests that wait on long timers. */
export function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: resolveTemporalExecutable(TEST_SERVER, local) } });
}
