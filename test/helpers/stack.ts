// `npm start` as a person runs it, for tests that need the whole engine: a process group
// of its own, started with the environment given and read from its READY line.
import path from 'node:path';
import { type Spawned, spawnGroup, waitFor } from './processes.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface Ready {
  api: string;
  temporal: string;
  temporalUi: string | null;
  pid: number;
  apiKeys: string | null;
}

export interface RunningStack extends Spawned {
  ready: Ready;
}

/** Starts `npm start` in the repository; `DATABASE_URL` and `TEMPORAL_ADDRESS` only from `env`. */
export async function startStack(env: Record<string, string>): Promise<RunningStack> {
  const { DATABASE_URL: _db, TEMPORAL_ADDRESS: _t, ...inherited } = process.env;
  const spawned = spawnGroup('npm', ['start'], {
    cwd: root,
    env: { ...inherited, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
  });
  let exited = false;
  void spawned.exited.then(() => (exited = true));
  const ready = await waitFor(
    'the READY line of npm start',
    () => {
      if (exited) throw new Error(`npm start exited before it was ready:\n${spawned.output()}`);
      const line = spawned.output().split('\n').find((l) => l.startsWith('READY '));
      return line ? (JSON.parse(line.slice('READY '.length)) as Ready) : undefined;
    },
    90_000,
    spawned.output,
  );
  return { ...spawned, ready };
}

/** Ctrl-C to the whole group, and the wait for it to end; for tests that only need it gone. */
export async function interruptStack(stack: Spawned): Promise<void> {
  try {
    process.kill(-stack.child.pid!, 'SIGINT');
  } catch {
    return; // already gone
  }
  await Promise.race([
    stack.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`npm start still running:\n${stack.output()}`)), 30_000)),
  ]);
}
