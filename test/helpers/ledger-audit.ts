// The ledger audit for tests: the same run as `npm run audit:ledger`, scoped to the orders and
// customers a test created, since tests share one database. A test that moved money calls
// it at its end:
//
//   await expectBooksClean(h.database.db, { customerIds: [input.customerId] }, { temporal: env.client });
//
// `temporal` also compares each live invoiced order with its workflow's getOrder balance.
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client.js';
import { type LedgerAuditReport, auditLedger, temporalWorkflowViews } from '../../workers/audit/ledger.js';
import { findingLine, summaryLine } from '../../workflows/order/rules/ledger-audit.js';

export interface BooksScope {
  orderIds?: string[];
  customerIds?: string[];
}

export interface BooksAuditOptions {
  /** Compare live invoiced orders with their workflow's view too. */
  temporal?: Client;
  /** How long each workflow has to answer getOrder. */
  queryTimeoutMs?: number;
}

/** Audits the books of these orders and customers once; the report, findings and counts. */
export function auditBooks(db: Database, scope: BooksScope, options: BooksAuditOptions = {}): Promise<LedgerAuditReport> {
  return auditLedger(db, scope, {
    ...(options.temporal ? { views: temporalWorkflowViews(options.temporal, { timeoutMs: options.queryTimeoutMs ?? 10_000 }) } : {}),
  });
}

/** The audit's findings as it prints them, one line each; [] when the books are clean. */
export async function auditFindings(db: Database, scope: BooksScope, options: BooksAuditOptions = {}): Promise<string[]> {
  return (await auditBooks(db, scope, options)).findings.map(findingLine);
}

/** Throws, listing every finding, unless the audit finds the books clean; else the report. */
export async function expectBooksClean(db: Database, scope: BooksScope, options: BooksAuditOptions = {}): Promise<LedgerAuditReport> {
  const report = await auditBooks(db, scope, options);
  if (report.findings.length > 0) {
    throw new Error(`${summaryLine(report.findings, report.counts)}\n${report.findings.map(findingLine).join('\n')}`);
  }
  return report;
}

export interface AuditCommandRun {
  /** 0 clean, 1 findings, 2 could not audit. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run audit:ledger -- <args>` as an operator would, with the environment's
 * variables but DATABASE_URL and TEMPORAL_ADDRESS replaced by `vars` (an inherited
 * TEMPORAL_ADDRESS would ask for workflow views).
 */
export function runAuditCommand(args: string[], vars: Record<string, string>): Promise<AuditCommandRun> {
  const { DATABASE_URL: _d, TEMPORAL_ADDRESS: _t, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'audit:ledger', '--', ...args],
      { cwd: path.resolve(import.meta.dirname, '../..'), env: { ...inherited, ...vars }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}
