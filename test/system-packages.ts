// What the tests need from the machine beyond Node: curl (the README's tour runs through it)
// and Debian's chromium (pages and Temporal UI are checked in a real browser). A fresh machine
// has neither, so the first run installs what is missing, as root with apt-get.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

export function installSystemPackages(log: (line: string) => void): void {
  const missing: string[] = [];
  if (!onPath('curl')) missing.push('curl');
  if (!existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium')) missing.push('chromium');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    log(`the tests need ${missing.join(' and ')}: install them (Debian: apt-get install ${missing.join(' ')})`);
    return;
  }
  log(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'ignore', env });
}
