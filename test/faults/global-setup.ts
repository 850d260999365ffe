// Once per fault run, after test/global-setup.ts: the workflow code bundled once, into a
// file every worker process of every test loads (WORKFLOW_BUNDLE), so that a worker started
// again after a SIGKILL polls within seconds instead of bundling for tens of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { workflowBundleOptions } from '../../workers/order-worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The engine's workflow bundle, as `npm run build:workflows` writes it. */
    workflowBundle: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'o2c-faults-'));
  const file = path.join(dir, 'workflows.js');
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
  writeFileSync(file, code);
  project.provide('workflowBundle', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
