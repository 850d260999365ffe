// The ledger audit, as `npm run audit:ledger` and the tests run it: reads the books in one
// snapshot, page by page, judges every row with the rules in
// workflows/order/rules/ledger-audit.ts and, when given a Temporal client, asks each live
// invoiced order's workflow for its balance.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Database, Db } from '../../db/client.js';
import {
  type AuditScope,
  listEntryTotals,
  listIssuedNumbers,
  listOrderBooks,
  listPaymentBooks,
  listSeriesCounters,
  listStrayPaymentEntries,
} from '../../db/queries/ledger-audit.js';
import { getOrderQuery } from '../../workflows/order/contract.js';
import {
  type AuditCounts,
  type EntryTotals,
  type Finding,
  type IssuedNumber,
  InvoiceNumbering,
  type OrderBooks,
  type PaymentBooks,
  checkEntry,
  checkOrder,
  checkPayment,
  checkStrayPaymentEntry,
  checkWorkflowBalance,
  confirmedFindings,
  needsWorkflowView,
} from '../../workflows/order/rules/ledger-audit.js';

export type { AuditScope };

/** A workflow's answer to getOrder: its balance, gone (no such workflow any more), or silent. */
export type WorkflowBalance =
  | { kind: 'answered'; balanceMinor: number }
  | { kind: 'gone' }
  | { kind: 'silent'; reason: string };

export interface WorkflowViews {
  balance(workflowId: string): Promise<WorkflowBalance>;
}

/**
 * Workflow views from Temporal: getOrder on each workflow, each given `timeoutMs` to answer
 * (a running workflow answers only while a worker polls its task queue).
 */
export function temporalWorkflowViews(client: Client, options: { timeoutMs?: number } = {}): WorkflowViews {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    async balance(workflowId) {
      try {
        const view = await client.connection.withDeadline(Date.now() + timeoutMs, () =>
          client.workflow.getHandle(workflowId).query(getOrderQuery),
        );
        return { kind: 'answered', balanceMinor: view.balanceMinor };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { kind: 'gone' };
        return { kind: 'silent', reason: (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim() };
      }
    },
  };
}

export interface LedgerAuditOptions {
  /** Compare live invoiced orders with their workflow's view. */
  views?: WorkflowViews;
  /** Rows per page read. */
  pageSize?: number;
  /** Workflows asked at once. */
  concurrency?: number;
  /** After this many workflows in a row did not answer (and none did), the rest are not asked. */
  silentLimit?: number;
}

export interface LedgerAuditReport {
  findings: Finding[];
  counts: AuditCounts;
  /** Why the first workflow that did not answer did not (`<workflow ID>: <reason>`); null when all answered. */
  silence: string | null;
}

/** Reads a keyed table page by page until a page comes back short. */
async function eachPage<T, K>(
  read: (after: K | null) => Promise<T[]>,
  keyOf: (row: T) => K,
  limit: number,
  use: (row: T) => void,
): Promise<void> {
  let after: K | null = null;
  for (;;) {
    const rows = await read(after);
    rows.forEach(use);
    if (rows.length < limit) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

/** What the database alone says, all read in one snapshot of it. */
async function auditDatabase(tx: Db, scope: AuditScope, limit: number) {
  const findings: Finding[] = [];
  const counts: AuditCounts = { orders: 0, invoicedOrders: 0, journalEntries: 0, invoiceSeries: 0, invoices: 0, payments: 0, workflows: null };
  const live: OrderBooks[] = [];

  await eachPage<OrderBooks, string>(
    (after) => listOrderBooks(tx, scope, { after, limit }),
    (o) => o.orderId,
    limit,
    (o) => {
      counts.orders += 1;
      if (o.invoice) counts.invoicedOrders += 1;
      findings.push(...checkOrder(o));
      if (needsWorkflowView(o)) live.push(o);
    },
  );

  await eachPage<EntryTotals, number>(
    (after) => listEntryTotals(tx, scope, { after, limit }),
    (e) => e.entryId,
    limit,
    (e) => {
      counts.journalEntries += 1;
      findings.push(...checkEntry(e));
    },
  );

  const counters = await listSeriesCounters(tx, scope);
  counts.invoiceSeries = counters.length;
  const numbering = new InvoiceNumbering(counters);
  await eachPage<IssuedNumber, { series: string; sequence: number }>(
    (after) => listIssuedNumbers(tx, scope, { after, limit }),
    (n) => ({ series: n.series, sequence: n.sequence }),
    limit,
    (n) => {
      counts.invoices += 1;
      findings.push(...numbering.add(n));
    },
  );
  findings.push(...numbering.finish());

  await eachPage<PaymentBooks, string>(
    (after) => listPaymentBooks(tx, scope, { after, limit }),
    (p) => p.paymentReference,
    limit,
    (p) => {
      counts.payments += 1;
      findings.push(...checkPayment(p));
    },
  );
  for (const stray of await listStrayPaymentEntries(tx, scope)) findings.push(...checkStrayPaymentEntry(stray));

  return { findings, counts, live };
}

/** Asks each order's workflow for its balance, a few at a time, and compares it with the books. */
async function compareWorkflows(orders: OrderBooks[], views: WorkflowViews, options: LedgerAuditOptions) {
  // By the order's place in the books, so findings read in the books' order whichever answer came first.
  const found: Finding[][] = orders.map(() => []);
  const tally = { compared: 0, gone: 0, silent: 0 };
  let silence: string | null = null;
  const silentLimit = options.silentLimit ?? 5;
  let silentInARow = 0;
  let next = 0;
  const worker = async () => {
    while (next < orders.length) {
      const i = next++;
      const order = orders[i]!;
      // Temporal is not answering at all (no worker polls the orders' queue): ask no more.
      if (tally.compared === 0 && silentInARow >= silentLimit) {
        tally.silent += 1;
        continue;
      }
      const answer = await views.balance(order.workflowId);
      if (answer.kind === 'answered') {
        tally.compared += 1;
        silentInARow = 0;
        found[i] = checkWorkflowBalance(order, answer.balanceMinor);
      } else if (answer.kind === 'gone') {
        tally.gone += 1;
      } else {
        tally.silent += 1;
        silentInARow += 1;
        silence ??= `${order.workflowId}: ${answer.reason}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return { findings: found.flat(), tally, silence };
}

/**
 * Audits the books in scope once: every check the database can answer, in one read-only
 * snapshot, then (with `views`) each live invoiced order's workflow balance.
 */
export async function auditLedger(db: Database, scope: AuditScope, options: LedgerAuditOptions = {}): Promise<LedgerAuditReport> {
  if (scope !== 'everything' && (scope.orderIds ?? []).length + (scope.customerIds ?? []).length === 0) {
    throw new RangeError('an audit scope names at least one order or customer (or is "everything")');
  }
  const limit = options.pageSize ?? 500;
  const read = await db.transaction((tx) => auditDatabase(tx, scope, limit), {
    isolationLevel: 'repeatable read',
    accessMode: 'read only',
  });
  const findings = [...read.findings];
  const counts = { ...read.counts };
  let silence: string | null = null;
  if (options.views) {
    const compared = await compareWorkflows(read.live, options.views, options);
    findings.push(...compared.findings);
    counts.workflows = compared.tally;
    silence = compared.silence;
  }
  return { findings, counts, silence };
}

/**
 * Audits twice, `afterMs` apart, when the first run finds anything, and keeps what both
 * found: on live books an order moving at that moment (a payment recorded but not yet
 * posted, a row not yet written) is not a finding. The counts are the second run's.
 */
export async function auditLedgerConfirmed(
  run: () => Promise<LedgerAuditReport>,
  afterMs: number,
): Promise<LedgerAuditReport & { /** Findings one run had and the other had not. */ unconfirmed: number }> {
  const first = await run();
  if (first.findings.length === 0 || afterMs <= 0) return { ...first, unconfirmed: 0 };
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const second = await run();
  const findings = confirmedFindings(first.findings, second.findings);
  // Seen by one run only: in motion, not wrong.
  const unconfirmed = first.findings.length + second.findings.length - 2 * findings.length;
  return { findings, counts: second.counts, silence: second.silence, unconfirmed };
}
