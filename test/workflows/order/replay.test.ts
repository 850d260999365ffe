// Every recorded order history must replay against today's workflow code. A change to the
// workflow's commands that breaks this needs a patch (workflow.patched) or, while no such
// order can exist in the wild, re-recorded histories with the reason in the commit:
//   RECORD_HISTORIES=1 npm test -- test/workflows/order
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { loadHistory, workflowBundle } from './harness.js';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('replay of recorded order histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = loadHistory(path.join(dir, file));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, path.basename(file, '.json'));
  });
});
