// `npm run build:workflows -- <file>`: bundles the workflow code once, ahead of time. A
// worker given the file (WORKFLOW_BUNDLE) starts in a moment and without the bundler's
// memory, instead of bundling at every start.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from './order-worker.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: npm run build:workflows -- <output file>');
  process.exit(2);
}
const { code } = await bundleWorkflowCode(workflowBundleOptions());
writeFileSync(path.resolve(out), code);
console.log(`workflow bundle written to ${path.resolve(out)} (${(code.length / 1024).toFixed(0)} KiB)`);
