// The bench's other checkout: a commit extracted beside this one, with this checkout's
// dependencies, whose engine modules load as the bench loads them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { otherCheckout, thisCheckout } from '../../bench/checkouts.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

it("extracts a commit with this checkout's dependencies and loads its bundle options and dev-server settings", async () => {
  const head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const other = await otherCheckout(root, 'HEAD');
  try {
    expect(other.label).toBe(head);
    expect(other.root).not.toBe(root);
    expect(existsSync(path.join(other.root, 'workers', 'main.ts'))).toBe(true);
    const mine = await thisCheckout(root);
    expect(other.devServerArgs).toEqual(mine.devServerArgs);
    expect(other.bundleOptions(other.workflowsPath).preloadModules?.[0]).toMatch(/workflows\/sandbox\/stack-traces\.ts$/);
    expect(other.searchAttributes.map((key) => key.name)).toEqual(mine.searchAttributes.map((key) => key.name));
  } finally {
    other.remove();
  }
  expect(existsSync(other.root)).toBe(false);
});

it('refuses a commit that does not exist', async () => {
  await expect(otherCheckout(root, 'no-such-commit')).rejects.toThrow();
});
