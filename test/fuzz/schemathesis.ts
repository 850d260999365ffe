// Schemathesis for `npm run test:fuzz`, installed as the Temporal binaries are: pip, from PyPI,
// into a git-ignored venv of the project's own (.schemathesis/venv), at the versions the lock
// beside this file pins, each file checked against its hash. Nothing is installed globally.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
export const SCHEMATHESIS_DIR = path.join(root, '.schemathesis');
const VENV_DIR = path.join(SCHEMATHESIS_DIR, 'venv');
const LOCK_FILE = path.join(import.meta.dirname, 'requirements.txt');
const PIN_FILE = path.join(import.meta.dirname, 'requirements.in');
/** The lock's digest, written once the install succeeded: a changed lock means a fresh venv. */
const STAMP_FILE = path.join(VENV_DIR, 'o2c-lock.sha256');
export const ST = path.join(VENV_DIR, 'bin', 'st');

/** The version requirements.in pins (the one line `schemathesis==X`). */
export function pinnedVersion(): string {
  const match = /^schemathesis==(\S+)\s*$/m.exec(readFileSync(PIN_FILE, 'utf8'));
  if (!match) throw new Error(`${PIN_FILE} pins no exact schemathesis version`);
  return match[1]!;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Installs the locked packages into a new venv unless that very lock is installed already. */
export function installSchemathesis(log: (line: string) => void = () => {}): { installed: boolean; st: string; version: string } {
  const version = pinnedVersion();
  const digest = createHash('sha256').update(readFileSync(LOCK_FILE)).digest('hex');
  const stamped = existsSync(STAMP_FILE) ? readFileSync(STAMP_FILE, 'utf8').trim() : '';
  if (stamped === digest && isExecutable(ST)) return { installed: false, st: ST, version };

  const run = (cmd: string, args: string[]) => {
    log(`$ ${cmd} ${args.join(' ')}`);
    const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.error) throw new Error(`${cmd} could not run: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
  };
  // A fresh venv each time the lock changes, so no package of an older lock stays behind.
  rmSync(VENV_DIR, { recursive: true, force: true });
  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV_DIR]);
  // --require-hashes: every package must be in the lock, at its version and with a hash that
  // matches what is downloaded; a dependency the lock lacks stops the install.
  run(path.join(VENV_DIR, 'bin', 'python'), [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--require-hashes',
    '-r',
    LOCK_FILE,
  ]);
  const reported = spawnSync(ST, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (reported !== `st, version ${version}`) throw new Error(`installed ${ST} reports "${reported}", not version ${version}`);
  writeFileSync(STAMP_FILE, `${digest}\n`);
  return { installed: true, st: ST, version };
}
