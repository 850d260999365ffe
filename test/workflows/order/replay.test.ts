// Every recorded order history must replay against today's workflow code. Histories live in
// version folders (histories/v1, v2, ...) that are never overwritten; the newest must hold
// every scenario below. Re-record into a new folder with
//   RECORD_HISTORIES=1 npx vitest run --config test/vitest.config.ts test/workflows/order test/api/end-to-end.test.ts
// From the first release on, a change that breaks an older folder needs workflow.patched();
// before it, no order runs in the wild: drop the older folder and say why in the commit.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { loadHistory, workflowBundle } from './harness.js';

/** The scenarios the newest recording must cover, by the names the tests record them under. */
const SCENARIOS = [
  'happy-path',
  'partial-shipments-and-payments',
  'credit-hold-approved',
  'credit-hold-rejected',
  'credit-rejected-automatically',
  'credit-hold-escalated-then-cancelled',
  'cancelled-before-shipment',
  'remainder-cancelled-after-partial-shipment',
  'fulfillment-deadline-nothing-shipped',
  'fulfillment-deadline-after-partial-shipment',
  'shipments-refused',
  'dunning-to-collections-then-written-off',
  'dispute-accepted-in-part',
  'dispute-rejected-dunning-resumes',
  'payment-repeated',
  'payment-in-another-currency-refused',
  'payment-before-invoice-refused',
  'overpayment',
  'reconciliation-failed-then-retried',
  'needs-attention-then-retried',
  'hopeless-payment-refused',
  'continue-as-new-first-run',
  'continue-as-new-last-run',
  'api-end-to-end',
];

const root = fileURLToPath(new URL('./histories/', import.meta.url));
const versions = readdirSync(root)
  .filter((name) => /^v\d+$/.test(name))
  .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
const recorded = (version: string) =>
  readdirSync(path.join(root, version))
    .filter((file) => file.endsWith('.json'))
    .map((file) => path.basename(file, '.json'))
    .sort();

// While a run records a new folder, the folder is still being written: replay it in the next run.
describe.skipIf(inject('historiesVersion'))('replay of recorded order histories', () => {
  it('has every scenario in the newest recording', () => {
    expect(versions.length).toBeGreaterThan(0);
    const newest = recorded(versions.at(-1)!);
    expect(SCENARIOS.filter((scenario) => !newest.includes(scenario))).toEqual([]);
  });

  const histories = versions.flatMap((version) => recorded(version).map((scenario) => [version, scenario] as const));
  it.each(histories)('%s/%s replays without nondeterminism', async (version, scenario) => {
    const history = loadHistory(path.join(root, version, `${scenario}.json`));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `${version}/${scenario}`);
  });
});
