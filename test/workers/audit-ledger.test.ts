// `npm run audit:ledger` as an operator runs it, against a database of its own: exit 0 and
// one line on clean books, exit 1 and a line per finding on broken ones, exit 2 when it
// cannot audit at all.
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { upsertCustomer } from '../../db/queries/customers.js';
import { orders } from '../../db/schema/orders.js';
import type { OrderInput, OrderView } from '../../workflows/order/contract.js';
import { draftInvoice } from '../../workflows/order/rules/invoice.js';
import { STANDARD_ORDER_POLICY } from '../../workflows/order/rules/policy.js';
import { createScratchDatabase } from '../helpers/database.js';
import { runAuditCommand } from '../helpers/ledger-audit.js';

const lines = (text: string) => text.trim().split('\n').filter(Boolean);

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let database: DatabaseHandle;
beforeAll(async () => {
  scratch = await createScratchDatabase();
  database = await openDatabase({ kind: 'postgres', url: scratch.url, maxConnections: 2 });
  await database.migrate();
});
afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

/** One order invoiced, paid and reconciled by the real activities. */
async function paidOrder(): Promise<string> {
  await upsertCustomer(database.db, {
    id: 'cust-1',
    name: 'Audit Ltd',
    currency: 'EUR',
    creditLimitMinor: 1_000_000,
    paymentTermsDays: 30,
    contactEmail: 'ap@audit.example',
  });
  const lineItems = [{ lineId: 'l1', sku: 'S', description: 'Service', quantity: 1, unitPriceMinor: 10_000 }];
  const input: OrderInput = {
    orderId: 'ord-1',
    customerId: 'cust-1',
    currency: 'EUR',
    lines: lineItems,
    taxRateBps: 2000,
    paymentTermsDays: 30,
    policy: STANDARD_ORDER_POLICY,
  };
  const mock = new MockActivityEnvironment({ workflowExecution: { workflowId: 'order:ord-1', runId: 'run-1' } });
  const activities = createActivities({ db: database.db });
  await mock.run(activities.admitOrder, { ...input, workflowId: 'order:ord-1' });
  const invoice = (await mock.run(activities.issueInvoice, {
    orderId: 'ord-1',
    customerId: 'cust-1',
    currency: 'EUR',
    series: 'INV',
    issuedAt: '2026-01-02T09:00:00.000Z',
    dueDate: '2026-02-01',
    draft: draftInvoice(lineItems, { l1: 1 }, 2000),
  })) as { invoiceNumber: string };
  await mock.run(activities.applyPayment, {
    orderId: 'ord-1',
    customerId: 'cust-1',
    invoiceNumber: invoice.invoiceNumber,
    paymentReference: 'pay-1',
    amountMinor: 12_000,
    currency: 'EUR',
    method: 'card' as const,
    receivedAt: '2026-01-20T10:00:00.000Z',
  });
  await mock.run(activities.reconcileOrder, { orderId: 'ord-1', invoiceNumber: invoice.invoiceNumber, writtenOff: false });
  // The workflow writes its row once closed, with its final view.
  await mock.run(activities.syncOrder, {
    orderId: 'ord-1',
    revision: 1,
    status: 'closed' as const,
    amountDueMinor: 0,
    dunningLevel: 0,
    invoiceNumber: invoice.invoiceNumber,
    dueDate: '2026-02-01',
    closed: true,
    finalView: { orderId: 'ord-1', status: 'closed', balanceMinor: 0 } as OrderView,
  });
  return invoice.invoiceNumber;
}

describe('npm run audit:ledger', () => {
  it('exits 0 with one line on clean books, 1 with a line per finding on broken ones', async () => {
    const empty = await runAuditCommand([], { DATABASE_URL: scratch.url });
    expect(empty).toMatchObject({ code: 0, stderr: '' });
    expect(lines(empty.stdout)).toEqual(['ledger audit: clean: 0 orders (0 invoiced), 0 journal entries, 0 invoice series (0 invoices), 0 payments']);

    const invoiceNumber = await paidOrder();
    const clean = await runAuditCommand([], { DATABASE_URL: scratch.url });
    expect(clean).toMatchObject({ code: 0, stderr: '' });
    expect(lines(clean.stdout)).toEqual(['ledger audit: clean: 1 order (1 invoiced), 2 journal entries, 1 invoice series (1 invoice), 1 payment']);

    // The closed order's row says it still owes, and it never got its closing time.
    await database.db.update(orders).set({ amountDueMinor: 500, closedAt: null }).where(eq(orders.id, 'ord-1'));
    const broken = await runAuditCommand(['--recheck-ms', '50'], { DATABASE_URL: scratch.url });
    expect(broken).toMatchObject({ code: 1, stderr: '' });
    expect(lines(broken.stdout)).toEqual([
      `row-amount-due order ord-1 (invoice ${invoiceNumber}): row amount due 500, expected 0 for a closed order`,
      `closed-without-closed-at order ord-1 (invoice ${invoiceNumber}): status closed, closed_at not set`,
      'ledger audit: 2 findings: 1 order (1 invoiced), 2 journal entries, 1 invoice series (1 invoice), 1 payment',
    ]);

    // Scoped to a customer with no orders, it has nothing to say about them.
    const elsewhere = await runAuditCommand(['--customer', 'nobody', '--recheck-ms', '0'], { DATABASE_URL: scratch.url });
    expect(elsewhere.code).toBe(0);
    expect(lines(elsewhere.stdout)).toEqual(['ledger audit: clean: 0 orders (0 invoiced), 0 journal entries, 0 invoice series (0 invoices), 0 payments']);
  });

  it('exits 2 with one line when it cannot audit', async () => {
    const noDatabase = await runAuditCommand([], {});
    expect(noDatabase.code).toBe(2);
    expect(lines(noDatabase.stderr)).toEqual([expect.stringMatching(/^invalid configuration: DATABASE_URL is required/)]);

    const missing = new URL(scratch.url);
    missing.pathname = `${missing.pathname}_missing`;
    const unreachable = await runAuditCommand([], { DATABASE_URL: missing.toString() });
    expect(unreachable.code).toBe(2);
    expect(lines(unreachable.stderr)).toEqual([expect.stringMatching(/^cannot reach the database: database ".*_missing" does not exist$/)]);

    const badFlag = await runAuditCommand(['--temporal', 'http://temporal'], { DATABASE_URL: scratch.url });
    expect(badFlag.code).toBe(2);
    expect(lines(badFlag.stderr)[0]).toBe('--temporal "http://temporal": must be host:port');
    expect(badFlag.stdout).toBe('');
  });
});
