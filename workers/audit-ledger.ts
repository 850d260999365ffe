// `npm run audit:ledger`: audits the books on DATABASE_URL. Prints one line per finding (the
// check, what it concerns, the figures that disagree), then one summary line.
//   exit 0  clean        exit 1  findings        exit 2  could not audit (arguments,
//                                                         configuration, database or Temporal)
//
//   npm run audit:ledger -- [--order <id>]... [--customer <id>]...
//                           [--temporal <host:port> | --no-temporal]
//                           [--recheck-ms <ms>] [--query-timeout-ms <ms>]
//
// Everything is audited unless orders or customers are named. With TEMPORAL_ADDRESS set or
// --temporal, each live invoiced order's workflow is asked for its balance too
// (TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and TEMPORAL_TLS apply). A run that finds anything
// runs again --recheck-ms later (2000 by default, 0 for once) and reports what both runs
// found: on live books an order in the middle of a step is not a finding.
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { type DatabaseHandle, openDatabase } from '../db/client.js';
import { findingLine, summaryLine } from '../workflows/order/rules/ledger-audit.js';
import { type AuditScope, auditLedger, auditLedgerConfirmed, temporalWorkflowViews } from './audit/ledger.js';
import { ConfigError, hostPort, parseEnv, postgresUrl, temporalEnv, temporalSettings, z } from './runtime/env.js';
import { connectClient } from './runtime/temporal-client.js';

const USAGE =
  'usage: npm run audit:ledger -- [--order <id>]... [--customer <id>]... [--temporal <host:port> | --no-temporal] ' +
  '[--recheck-ms <ms>] [--query-timeout-ms <ms>]';

/** Stops the audit with one line on stderr: it could not be done, which is not a clean bill. */
function cannotAudit(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** What went wrong, in one line: the innermost cause (drizzle wraps the driver's error in "Failed query"). */
function reason(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

const milliseconds = z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0);

function parseCommandLine(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        order: { type: 'string', multiple: true },
        customer: { type: 'string', multiple: true },
        temporal: { type: 'string' },
        'no-temporal': { type: 'boolean' },
        'recheck-ms': { type: 'string' },
        'query-timeout-ms': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    cannotAudit(`${(err as Error).message}\n${USAGE}`);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const number = (flag: 'recheck-ms' | 'query-timeout-ms', fallback: number) => {
    const value = parsed[flag];
    if (value === undefined) return fallback;
    const result = milliseconds.safeParse(value);
    if (!result.success) cannotAudit(`--${flag} ${JSON.stringify(value)}: must be a whole number of milliseconds\n${USAGE}`);
    return result.data;
  };
  if (parsed.temporal !== undefined && !hostPort.safeParse(parsed.temporal).success) {
    cannotAudit(`--temporal ${JSON.stringify(parsed.temporal)}: must be host:port\n${USAGE}`);
  }
  if (parsed.temporal !== undefined && parsed['no-temporal']) cannotAudit(`--temporal and --no-temporal contradict each other\n${USAGE}`);
  const orderIds = parsed.order ?? [];
  const customerIds = parsed.customer ?? [];
  const scope: AuditScope = orderIds.length + customerIds.length === 0 ? 'everything' : { orderIds, customerIds };
  return {
    scope,
    temporalAddress: parsed.temporal,
    noTemporal: parsed['no-temporal'] ?? false,
    recheckMs: number('recheck-ms', 2_000),
    queryTimeoutMs: number('query-timeout-ms', 5_000),
  };
}

const args = parseCommandLine(process.argv.slice(2));
let env;
try {
  env = parseEnv({ DATABASE_URL: postgresUrl, ...temporalEnv });
} catch (err) {
  if (err instanceof ConfigError) cannotAudit(err.message);
  throw err;
}
// Temporal's views are compared when asked for: by the flag, or by TEMPORAL_ADDRESS set.
const temporalAddress = args.noTemporal
  ? undefined
  : (args.temporalAddress ?? ((process.env.TEMPORAL_ADDRESS ?? '').trim() !== '' ? env.TEMPORAL_ADDRESS : undefined));

let handle: DatabaseHandle | undefined;
let client: Client | undefined;
try {
  handle = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL, maxConnections: 2 });
  await handle.ping().catch((err: unknown) => cannotAudit(`cannot reach the database: ${reason(err)}`));
  if (temporalAddress !== undefined) {
    client = await connectClient(temporalSettings({ ...env, TEMPORAL_ADDRESS: temporalAddress })).catch((err: unknown) =>
      cannotAudit(`cannot reach Temporal at ${temporalAddress}: ${reason(err)}`),
    );
  }
  const db = handle.db;
  const views = client ? temporalWorkflowViews(client, { timeoutMs: args.queryTimeoutMs }) : undefined;
  const report = await auditLedgerConfirmed(() => auditLedger(db, args.scope, views ? { views } : {}), args.recheckMs);
  if (report.silence) process.stderr.write(`workflows not answering, so not compared, such as ${report.silence}\n`);
  for (const finding of report.findings) process.stdout.write(`${findingLine(finding)}\n`);
  process.stdout.write(`${summaryLine(report.findings, report.counts, report.unconfirmed)}\n`);
  process.exitCode = report.findings.length > 0 ? 1 : 0;
} catch (err) {
  process.stderr.write(`ledger audit failed: ${reason(err)}\n`);
  process.exitCode = 2;
} finally {
  await client?.connection.close().catch(() => {});
  await handle?.close().catch(() => {});
}
