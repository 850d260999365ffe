// The code a workload runs: this checkout, or another commit of the project (`--against=REV`)
// so that a change is measured side by side with what came before it, in one run on one
// machine: the two take turns at each number of callers, and this machine's drift of a
// quarter over minutes falls on both alike.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ORDER_SEARCH_ATTRIBUTE_KEYS } from '../workflows/order/contract.js';

export interface Checkout {
  /** Empty for this checkout; the commit's short name for another. */
  label: string;
  root: string;
  workflowsPath: string;
  bundleOptions(workflowsPath: string): { workflowsPath: string; preloadModules?: string[] };
  devServerArgs: string[];
  searchAttributes: typeof ORDER_SEARCH_ATTRIBUTE_KEYS;
  remove(): void;
}

async function load(root: string, label: string, remove: () => void): Promise<Checkout> {
  const worker = await import(path.join(root, 'workers', 'order-worker.ts'));
  const servers = await import(path.join(root, 'workers', 'runtime', 'temporal-servers.ts'));
  const contract = await import(path.join(root, 'workflows', 'order', 'contract.ts'));
  return {
    label,
    root,
    workflowsPath: worker.WORKFLOWS_PATH,
    // Commits from before a setting existed build and run the dev server without it.
    bundleOptions: worker.workflowBundleOptions ?? ((workflowsPath: string) => ({ workflowsPath })),
    devServerArgs: servers.DEV_SERVER_ARGS ?? servers.DEV_SERVER_SQLITE_ARGS ?? [],
    searchAttributes: contract.ORDER_SEARCH_ATTRIBUTE_KEYS,
    remove,
  };
}

export function thisCheckout(root: string): Promise<Checkout> {
  return load(root, '', () => {});
}

/**
 * Commit `rev` of the repository at `root`, extracted beside it with this checkout's
 * dependencies (a commit whose package-lock.json differs would measure other packages: refused).
 */
export async function otherCheckout(root: string, rev: string): Promise<Checkout> {
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--short', `${rev}^{commit}`);
  if (git('diff', '--name-only', commit, '--', 'package-lock.json') !== '') {
    throw new Error(`--against=${rev}: its package-lock.json differs from this checkout's, so its dependencies would not be its own`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), `o2c-bench-${commit}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('sh', ['-c', `git -C "${root}" archive ${commit} | tar -x -C "${dir}"`]);
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    return await load(dir, commit, remove);
  } catch (err) {
    remove();
    throw err;
  }
}
