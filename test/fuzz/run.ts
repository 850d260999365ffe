// `npm run test:fuzz`: Schemathesis, generating requests from the running API's own
// /openapi.json, checks that no request gets a 5xx and that every answer is one the document
// gives (status code, content type, headers, body schema). It starts the engine with
// `npm start`, as a person would, on ports, a PostgreSQL database and a DATA_DIR of its own,
// and runs `st run` once with the service key and once with the finance key, each over the
// operations that key's role may use (a route refuses any other key with 403 before it reads
// the request, so fuzzing it with that key would test nothing else). The unauthenticated
// routes (/health, /ready) run with both.
//
// Each operation fuzzed with a key is one test, and so is each key's stateful run (sequences
// of calls that follow the document's links); one with any finding fails. The counts go to
// test/.reports/fuzz.json for .ci/run, Schemathesis's JUnit reports beside it. Exits 1 on any
// finding or when Schemathesis could not run, 0 when every test came through clean.
//
// FUZZ_MAX_TIME (seconds per key, 90 by default) bounds the run. FUZZ_SEED=<the seed a run
// printed> draws the same requests again (a run bounded by time may stop at another one).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from '../helpers/processes.js';
import { type RunningStack, interruptStack, startStack } from '../helpers/stack.js';
import { installSchemathesis, SCHEMATHESIS_DIR } from './schemathesis.js';

const root = path.resolve(import.meta.dirname, '../..');
const REPORT_DIR = path.join(root, 'test', '.reports', 'fuzz');
const SUMMARY_FILE = path.join(root, 'test', '.reports', 'fuzz.json');
const CONFIG_FILE = path.join(import.meta.dirname, 'schemathesis.toml');
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const ROLES = ['service', 'finance'] as const;
type Role = (typeof ROLES)[number];

const maxTime = Number(process.env.FUZZ_MAX_TIME ?? 90);
if (!Number.isInteger(maxTime) || maxTime < 1) throw new Error(`FUZZ_MAX_TIME must be a whole number of seconds, not ${process.env.FUZZ_MAX_TIME}`);
if (process.env.FUZZ_SEED !== undefined && !/^\d{1,30}$/.test(process.env.FUZZ_SEED)) {
  throw new Error(`FUZZ_SEED must be a whole number, not ${process.env.FUZZ_SEED}`);
}
// Chosen here rather than by Schemathesis, so the summary can name it for both runs.
const seed = process.env.FUZZ_SEED ?? BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
/** Past its time budget, a run that has not ended is stopped: a request hanging is a finding too. */
const HARD_STOP_MS = (maxTime + 120) * 1000;

const say = (line: string) => process.stdout.write(`${line}\n`);

interface TestCase {
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
}
interface RoleRun {
  role: Role;
  operations: number;
  exitCode: number | null;
  seconds: number;
  cases: TestCase[];
}

/** The test cases of a Schemathesis JUnit report: an operation, or the stateful run. */
function junitCases(xml: string): TestCase[] {
  const cases: TestCase[] = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = /\bname="([^"]*)"/.exec(m[1]!)?.[1] ?? '?';
    const body = m[2] ?? '';
    const outcome = /<(failure|error)\b/.test(body) ? 'failed' : /<skipped\b/.test(body) ? 'skipped' : 'passed';
    cases.push({ name, outcome });
  }
  return cases;
}

/** The operation IDs a role may call: those whose `x-roles` name it, and those that need no key. */
function operationsFor(spec: { paths: Record<string, Record<string, { operationId?: string; 'x-roles'?: string[] }>> }, role: Role): string[] {
  return Object.values(spec.paths).flatMap((item) =>
    Object.values(item).flatMap((op) => (op.operationId && (!op['x-roles'] || op['x-roles'].includes(role)) ? [op.operationId] : [])),
  );
}

let running: ChildProcess | undefined;

function runSchemathesis(st: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  // Its working folder keeps Hypothesis's example database, so a failure found once is tried
  // first on the next local run.
  const cwd = path.join(SCHEMATHESIS_DIR, 'work');
  mkdirSync(cwd, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
    running = child;
    const timer = setTimeout(() => {
      say(`fuzz: Schemathesis still running ${HARD_STOP_MS / 1000} s after it started; stopping it`);
      child.kill('SIGKILL');
    }, HARD_STOP_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      running = undefined;
      resolve(code);
    });
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  const { st, version } = installSchemathesis(say);
  rmSync(REPORT_DIR, { recursive: true, force: true });
  rmSync(SUMMARY_FILE, { force: true });
  mkdirSync(REPORT_DIR, { recursive: true });

  const dbName = `o2c_fuzz_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'o2c-fuzz-'));
  let stack: RunningStack | undefined;
  const runs: RoleRun[] = [];
  // Ctrl-C or a CI timeout: `npm start` runs in a process group of its own, so it is stopped
  // here, and the database dropped, before this process ends.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    say(`fuzz: ${signal}, stopping`);
    running?.kill('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await admin.unsafe(`create database "${dbName}"`);
    const databaseUrl = new URL(ADMIN_URL);
    databaseUrl.pathname = `/${dbName}`;
    const ports = { PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort() };
    say(`fuzz: starting npm start (API on ${ports.PORT}, database ${dbName}, DATA_DIR ${dataDir})`);
    stack = await startStack({
      DATABASE_URL: databaseUrl.toString(),
      DATA_DIR: dataDir,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    });
    const { api, apiKeys } = stack.ready;
    if (!apiKeys) throw new Error('npm start wrote no API keys on its fresh database');
    const keys = JSON.parse(readFileSync(apiKeys, 'utf8')) as Record<Role, { secret: string }>;
    const spec = (await (await fetch(`${api}/openapi.json`)).json()) as Parameters<typeof operationsFor>[0];

    for (const role of ROLES) {
      if (interrupted) break;
      const operations = operationsFor(spec, role);
      const junit = path.join(REPORT_DIR, `${role}.junit.xml`);
      const args = [
        '--config-file',
        CONFIG_FILE,
        'run',
        `${api}/openapi.json`,
        '--max-time',
        String(maxTime),
        '--seed',
        seed,
        ...operations.flatMap((id) => ['--include-operation-id', id]),
        '--report',
        'junit',
        '--report-junit-path',
        junit,
        '--no-color',
      ];
      say(`\nfuzz: Schemathesis ${version}, ${role} key, ${operations.length} operations, up to ${maxTime} s, seed ${seed}`);
      const t0 = Date.now();
      // The key reaches Schemathesis through its environment (the config file names it), never
      // on a command line that `ps` would show.
      const exitCode = await runSchemathesis(st, args, { ...process.env, O2C_FUZZ_KEY: keys[role].secret });
      let cases: TestCase[] = [];
      try {
        cases = junitCases(readFileSync(junit, 'utf8'));
      } catch {
        // No report: Schemathesis could not run; the exit code says so below.
      }
      runs.push({ role, operations: operations.length, exitCode, seconds: Math.round((Date.now() - t0) / 1000), cases });
    }
  } finally {
    if (stack) await interruptStack(stack).catch((err: Error) => say(`fuzz: ${err.message}`));
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch((err: Error) => say(`fuzz: could not drop ${dbName}: ${err.message}`));
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const count = (outcome: TestCase['outcome']) => runs.reduce((n, r) => n + r.cases.filter((c) => c.outcome === outcome).length, 0);
  const passed = count('passed');
  const failed = count('failed');
  const skipped = count('skipped');
  // A run that exited non-zero without a failed case in its report (it could not load the
  // document, or crashed) is a failure of its own.
  const broken = runs.filter((r) => r.exitCode !== 0 && !r.cases.some((c) => c.outcome === 'failed'));
  say('\n== fuzz summary');
  for (const r of runs) {
    const bad = r.cases.filter((c) => c.outcome === 'failed').map((c) => c.name);
    const outcome =
      bad.length > 0
        ? `findings in ${bad.join('; ')}`
        : r.exitCode === 0
          ? 'all clean'
          : interrupted
            ? 'interrupted'
            : `no finding reported, but Schemathesis exited ${r.exitCode}: see its output above`;
    say(`  ${r.role.padEnd(8)} ${r.cases.length} tests (${r.operations} operations and the stateful run) in ${r.seconds} s: ${outcome}`);
  }
  // A key that did not run (interrupted) counts as one failure.
  const missing = ROLES.length - runs.length;
  const summary = { schemathesis: version, seed, maxTimeSeconds: maxTime, passed, failed: failed + broken.length + missing, skipped, runs };
  writeFileSync(SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`);
  const ok = summary.failed === 0 && passed > 0;
  say(
    `  fuzzing ${ok ? 'clean' : interrupted ? 'INTERRUPTED' : 'FOUND PROBLEMS'}: ${passed} tests clean, ${summary.failed} with findings, ` +
      `in ${Math.round((Date.now() - started) / 1000)} s (seed ${seed}; FUZZ_SEED=${seed} npm run test:fuzz draws the same requests)`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    say(`fuzz: ${err.stack ?? err.message}`);
    try {
      writeFileSync(SUMMARY_FILE, `${JSON.stringify({ passed: 0, failed: 1, skipped: 0, error: err.message }, null, 2)}\n`);
    } catch {
      // the report folder itself is unwritable; the exit code still says it failed
    }
    process.exit(1);
  },
);
