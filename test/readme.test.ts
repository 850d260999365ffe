// README.md against the engine it describes. The API tour is taken from the README itself and
// run by bash and curl against `npm start`; each command's answer is checked against the one
// written under it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/processes.js';
import { extractTour, mismatches, parsePattern, readReadme } from './helpers/readme.js';
import { type RunningStack, interruptStack, startStack } from './helpers/stack.js';

/** The API the tour names; the test's own `npm start` listens elsewhere. */
const TOUR_API_LINE = 'API=http://127.0.0.1:3000';

/**
 * Put before the tour: curl runs as written, with its status, headers and body also saved
 * under $TOUR_LOG, one numbered set of files per call.
 */
const CURL_RECORDER = String.raw`
set -euo pipefail
tour_calls=0
curl() {
  tour_calls=$((tour_calls + 1))
  command curl --max-time 60 "$@" --dump-header "$TOUR_LOG/$tour_calls.headers" \
    --output "$TOUR_LOG/$tour_calls.body" --write-out '%{http_code}' > "$TOUR_LOG/$tour_calls.status"
}
`;

describe('the README tour as written', () => {
  it('follows every curl command with the answer it gets, in a form the test reads', () => {
    const tour = extractTour(readReadme());
    expect(tour.script.split('\n')).toContain(TOUR_API_LINE);
    expect(tour.commands.length).toBeGreaterThanOrEqual(9);
    for (const command of tour.commands) {
      expect(command.answer.status, `README.md:${command.line}`).toBeGreaterThanOrEqual(200);
      if (command.answer.bodyText) expect(() => parsePattern(command.answer.bodyText!), `README.md:${command.line}`).not.toThrow();
    }
  });

  it('compares an answer by what the README shows: "..." leaves out, dates and invoice numbers by their shape', () => {
    const pattern = parsePattern('{"status":"closed","invoice":{"invoiceNumber":"INV-000001","dueDate":"2026-12-23",...},"items":[{"n":1},...,{"n":3}]}');
    const answer = { status: 'closed', invoice: { invoiceNumber: 'INV-000042', dueDate: '2027-01-01', totalMinor: 1 }, items: [{ n: 1 }, { n: 2 }, { n: 3 }] };
    expect(mismatches(pattern, answer)).toEqual([]);
    expect(mismatches(pattern, { ...answer, status: 'open' })).toEqual(['$.status: "open", the README shows "closed"']);
    expect(mismatches(pattern, { ...answer, extra: true })).toEqual(['$.extra: in the answer, not in the README (which has no "..." here)']);
    expect(mismatches(pattern, { ...answer, invoice: { invoiceNumber: 'INV-1', dueDate: '1 Jan' } })).toEqual([
      '$.invoice.invoiceNumber: "INV-1" is not an invoice number',
      '$.invoice.dueDate: "1 Jan" is not a date',
    ]);
    expect(mismatches(pattern, { ...answer, items: [{ n: 1 }, { n: 2 }] })).toHaveLength(1);
    expect(mismatches(parsePattern('{"a":[1,...]}'), { a: [1] })).toEqual([]);
    expect(mismatches(parsePattern('{"a":[]}'), { a: [1] })).toHaveLength(1);
  });
});

describe('README.md against npm start', () => {
  let dir: string;
  let stack: RunningStack | undefined;
  beforeAll(async () => {
    // The tour reads ./data/api-keys.json: it runs in `dir`, whose data/ is this stack's DATA_DIR.
    dir = mkdtempSync(path.join(tmpdir(), 'o2c-readme-'));
    const ports = { PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort() };
    stack = await startStack({
      DATA_DIR: path.join(dir, 'data'),
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    });
  });
  afterAll(async () => {
    if (stack) await interruptStack(stack);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the tour of "Using the API" as the README says, run by bash and curl', async () => {
    const tour = extractTour(readReadme());
    const script = tour.script.replace(TOUR_API_LINE, `API=${stack!.ready.api}`);
    const log = path.join(dir, 'tour');
    mkdirSync(log);
    const run = await promisify(execFile)('bash', ['-c', CURL_RECORDER + script], {
      cwd: dir,
      env: { ...process.env, TOUR_LOG: log },
      timeout: 180_000,
    }).catch((err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`the tour failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}\n${stack!.output()}`);
    });
    const calls = readdirSync(log).filter((f) => f.endsWith('.status')).length;
    expect(calls, 'every curl the tour ran is one of its commands').toBe(tour.commands.length);

    const problems: string[] = [];
    tour.commands.forEach((command, i) => {
      const file = (ext: string) => readFileSync(path.join(log, `${i + 1}.${ext}`), 'utf8');
      const where = `README.md:${command.line}`;
      const { answer } = command;
      const status = Number(file('status'));
      if (status !== answer.status) problems.push(`${where}: status ${status}, the README says ${answer.status}`);
      const headerLines = file('headers').split('\r\n');
      if (answer.statusLine && headerLines[0] !== answer.statusLine) {
        problems.push(`${where}: ${JSON.stringify(headerLines[0])}, the README says ${JSON.stringify(answer.statusLine)}`);
      }
      for (const [name, value] of answer.headers) {
        if (!headerLines.some((l) => l.toLowerCase().startsWith(`${name}:`) && l.slice(name.length + 1).trim() === value)) {
          problems.push(`${where}: no header "${name}: ${value}" in\n${headerLines.join('\n')}`);
        }
      }
      if (answer.bodyText === null) return;
      let body = file('body');
      // curl -i writes the headers before the body.
      if (body.startsWith('HTTP/')) body = body.slice(body.indexOf('\r\n\r\n') + 4);
      let actual: unknown;
      try {
        actual = JSON.parse(body);
      } catch {
        problems.push(`${where}: the answer is not JSON: ${body.slice(0, 300)}`);
        return;
      }
      problems.push(...mismatches(parsePattern(answer.bodyText), actual).map((m) => `${where}: ${m}`));
    });
    expect(problems, `tour output:\n${run.stdout}${run.stderr}`).toEqual([]);
  });
});

