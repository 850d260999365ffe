// README.md against the engine it describes. The API tour is taken from the README itself and
// run by bash and curl against `npm start`; each command's answer is checked against the one
// written under it. The operators' section is checked in headless Chromium against the
// Temporal UI that `npm start` serves: its clicks and its console snippet show the order
// columns. With UPDATE_SCREENSHOT=1 the test also runs `npm run demo` and saves the section's
// screenshot, docs/temporal-ui-orders.png:
//
//   UPDATE_SCREENSHOT=1 npx vitest run --config test/vitest.config.ts test/readme.test.ts
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser } from './helpers/browser.js';
import { freePort, spawnGroup } from './helpers/processes.js';
import { codeBlocks, extractTour, mismatches, parsePattern, readReadme } from './helpers/readme.js';
import { type RunningStack, interruptStack, startStack } from './helpers/stack.js';

const root = path.resolve(import.meta.dirname, '..');
const OPERATORS = '## Operators: orders in Temporal UI';
const SCREENSHOT = path.join(root, 'docs', 'temporal-ui-orders.png');
/** The API the tour names; the test's own `npm start` listens elsewhere. */
const TOUR_API_LINE = 'API=http://127.0.0.1:3000';
/** Where Temporal UI keeps the workflow list's columns, per namespace. */
const COLUMNS_KEY = 'namespace-workflow-table-columns';
const ORDER_COLUMNS = ['OrderStatus', 'CustomerId', 'AmountDue'];

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

  it('shows OrderStatus, CustomerId and AmountDue as columns of Temporal UI, set up as "Operators" says', async () => {
    const readme = readReadme();
    const section = readme.slice(readme.indexOf(OPERATORS), readme.indexOf('\n## ', readme.indexOf(OPERATORS) + 1));
    expect(section, `README.md has a section ${OPERATORS}`).toContain('Configure Columns');
    expect(section).toContain(COLUMNS_KEY);
    const [snippet, ...more] = codeBlocks(readme, OPERATORS, 'js');
    expect(snippet, 'the operators section has one js block').toBeDefined();
    expect(more).toEqual([]);

    // An order of this test's own, awaiting payment, so the list has a row whatever ran before.
    const api = stack!.ready.api;
    const keys = JSON.parse(readFileSync(stack!.ready.apiKeys!, 'utf8')) as Record<string, { secret: string }>;
    const post = async (url: string, body: unknown) => {
      const res = await fetch(`${api}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.service!.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, `${url}: ${await res.clone().text()}`).toBeLessThan(300);
    };
    await post('/customers', { customerId: 'ui-customer', name: 'UI', currency: 'USD', creditLimitMinor: 100_000, paymentTermsDays: 30 });
    const lines = [{ lineId: '1', sku: 'WIDGET', description: 'Widget', quantity: 1, unitPriceMinor: 4200 }];
    await post('/orders', { orderId: 'ui-order', customerId: 'ui-customer', currency: 'USD', lines });
    await post('/orders/ui-order/shipments', { shipmentId: 'ui-shp', lines: [{ lineId: '1', quantity: 1 }] });

    // Temporal's visibility store lists the order with its columns' values a moment after the
    // shipment: the page shows it once that is done, so that is what the test waits for.
    await listedInVisibility(stack!.ready.temporal, "WorkflowId = 'order:ui-order' AND OrderStatus = 'awaiting_payment'");

    const list = `${stack!.ready.temporalUi}/namespaces/default/workflows`;
    const screenshot = process.env.UPDATE_SCREENSHOT === '1';
    const browser = await openBrowser(screenshot ? { width: 1600, height: 760 } : undefined);
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await openList(page, list, 'order:ui-order');

      // The clicks: Configure Columns, + for each order column, close the panel.
      await page.getByRole('button', { name: 'Configure Columns' }).click();
      for (const column of ORDER_COLUMNS) await page.getByRole('button', { name: `Add ${column} column` }).click();
      await page.getByRole('button', { name: 'Close Workflows Table configuration' }).click();
      const headers = await columnHeaders(page);
      expect(headers.slice(-3)).toEqual(ORDER_COLUMNS);
      expect(await rowCells(page, 'order:ui-order')).toEqual(expect.arrayContaining(['awaiting_payment', 'ui-customer', '4200']));
      // What the clicks stored is what the README describes: labels per namespace under one key.
      expect(await storedColumns(page)).toEqual(headers);

      // The console snippet, on a browser that has no columns set up.
      await page.evaluate('localStorage.clear()');
      await page.evaluate(`(() => {\n${snippet}\n})()`);
      await openList(page, list, 'order:ui-order');
      const snippetColumns = await storedColumns(page);
      expect(snippetColumns).toEqual(expect.arrayContaining(ORDER_COLUMNS));
      expect(await columnHeaders(page)).toEqual(snippetColumns);
      expect(await rowCells(page, 'order:ui-order')).toEqual(expect.arrayContaining(['awaiting_payment', 'ui-customer', '4200']));

      if (screenshot) {
        const demo = spawnGroup('npm', ['run', 'demo'], {
          cwd: root,
          env: { ...process.env, DATA_DIR: path.join(dir, 'data'), O2C_API_URL: api, O2C_TEMPORAL_UI_URL: stack!.ready.temporalUi! },
        });
        expect((await demo.exited).code, demo.output()).toBe(0);
        const paid = /\bdemo-\w+-paid\b/.exec(demo.output())?.[0];
        expect(paid, demo.output()).toBeDefined();
        await listedInVisibility(stack!.ready.temporal, `WorkflowId = 'order:${paid}' AND OrderStatus = 'closed'`);
        await openList(page, list, '-paid');
        mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
        expect(statSync(SCREENSHOT).size).toBeLessThan(300 * 1024);
      }
    } finally {
      await browser.close();
    }
  });
});

/** Waits until Temporal's visibility store answers `query` with a workflow. */
async function listedInVisibility(address: string, query: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    for (;;) {
      for await (const _ of client.workflow.list({ query })) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await connection.close();
  }
}

/** Opens the workflow list and waits for a row holding `text` (the order is in visibility by then). */
async function openList(page: Page, url: string, text: string): Promise<void> {
  await page.goto(url);
  await page.locator('tbody tr', { hasText: text }).first().waitFor();
}

/** The list's column headers, without the selection checkbox columns. */
async function columnHeaders(page: Page): Promise<string[]> {
  return (await page.locator('thead th').allTextContents()).map((t) => t.trim()).filter((t) => t && t !== 'Select all Workflows');
}

/** The column labels stored for namespace `default`, where the README says Temporal UI keeps them. */
async function storedColumns(page: Page): Promise<string[]> {
  const stored = await page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(COLUMNS_KEY)})`);
  return (JSON.parse(stored ?? '{}') as { default?: Array<{ label: string }> }).default?.map((c) => c.label) ?? [];
}

async function rowCells(page: Page, text: string): Promise<string[]> {
  return (await page.locator('tbody tr', { hasText: text }).first().locator('td').allTextContents()).map((t) => t.trim());
}
