// `npm run test:faults`: the fault suite, apart from `npm test`. Each test runs the engine as
// separate processes (Temporal dev server, worker, API), breaks one part of it under load and
// audits the books once everything is at rest. The files run one at a time: each loads both
// cores by itself, and a test that shares them with another only takes longer.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default defineConfig({
  test: {
    root,
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts', 'test/faults/global-setup.ts'],
    setupFiles: ['test/setup-logging.ts'],
    // Deadlines are generous: a test polls until the engine is at rest, and a busy machine
    // only makes that take longer.
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default', 'json'],
    outputFile: { json: 'test/.reports/faults.json' },
  },
});
