// The ledger audit for tests: the same run as `npm run audit:ledger`, scoped to the orders and
// customers a test created, since tests share one database. A test that moved money calls
// it at its end:
//
//   await expectBooksClean(h.database.db, { customerIds: [input.customerId] }, { temporal: env.client });
//
// `temporal` also compares each live invoiced order with its workflow's getOrder balance.
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
