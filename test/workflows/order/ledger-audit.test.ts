// The ledger audit against running order workflows: the books a real order leaves agree with
// its workflow's getOrder balance; books changed behind the workflow's back do not, and the
// audit names the order and both figures. An order with no workflow is not compared.
import { MockActivityEnvironment } from '@temporalio/testing';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../../activities/index.js';
import { issueCreditNote } from '../../../db/queries/billing.js';
import { postJournalEntry } from '../../../db/queries/ledger.js';
import { orders } from '../../../db/schema/orders.js';
import { getOrderQuery, recordPaymentUpdate, recordShipmentUpdate } from '../../../workflows/order/contract.js';
import { draftInvoice } from '../../../workflows/order/rules/invoice.js';
import { creditNoteEntry } from '../../../workflows/order/rules/journal.js';
import { uniqueId } from '../../helpers/database.js';
import { auditFindings, expectBooksClean, runAuditCommand } from '../../helpers/ledger-audit.js';
import { startTimeSkippingServer } from '../../helpers/temporal.js';
import { type Harness, eventually, newOrder, payment, startOrder, useOrderHarness } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startTimeSkippingServer, (e, harness) => {
  env = e;
  h = harness;
});

describe('the ledger audit with the workflows', () => {
  it('compares each live invoiced order with its workflow, and names one whose books moved behind its back', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    await handle.executeUpdate(recordShipmentUpdate, {
      args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
    });
    // Payment references are unique across all orders, and tests share one database.
    const paid = await handle.executeUpdate(recordPaymentUpdate, { args: [payment(uniqueId('pay'), 80_000)] });
    expect(paid.balanceMinor).toBe(100_000);

    // An order of the same customer whose books were written without a workflow (one long gone).
    const orphan = uniqueId('ord');
    const mock = new MockActivityEnvironment({ workflowExecution: { workflowId: `order:${orphan}`, runId: 'run-1' } });
    const activities = createActivities({ db: h.database.db });
    await mock.run(activities.admitOrder, { ...input, orderId: orphan, workflowId: `order:${orphan}` });
    const orphanInvoice = (await mock.run(activities.issueInvoice, {
      orderId: orphan,
      customerId: input.customerId,
      currency: 'USD',
      series: input.policy.invoiceSeries,
      issuedAt: '2026-01-02T09:00:00.000Z',
      dueDate: '2026-02-01',
      draft: draftInvoice(input.lines, { l1: 10, l2: 2 }, input.taxRateBps),
    })) as Awaited<ReturnType<typeof activities.issueInvoice>>;
    await mock.run(activities.syncOrder, {
      orderId: orphan,
      revision: 1,
      status: 'awaiting_payment' as const,
      amountDueMinor: orphanInvoice.totalMinor,
      dunningLevel: 0,
      invoiceNumber: orphanInvoice.invoiceNumber,
      dueDate: '2026-02-01',
      closed: false,
    });

    const scope = { customerIds: [input.customerId] };
    // The workflow writes its row where it next waits, a moment after the payment's answer.
    const report = await eventually(() => expectBooksClean(h.database.db, scope, { temporal: env.client }));
    expect(report.counts).toMatchObject({ orders: 2, invoicedOrders: 2, payments: 1, workflows: { compared: 1, gone: 1, silent: 0 } });

    // A credit note recorded, posted and shown on the row, but never told to the workflow.
    const invoiceNumber = paid.order.invoice!.invoiceNumber;
    await issueCreditNote(h.database.db, { creditNoteId: uniqueId('cn'), invoiceNumber, disputeId: null, amountMinor: 1_000, reason: 'goodwill', issuedAt: new Date() });
    await postJournalEntry(h.database.db, {
      entryKey: `manual:${uniqueId('cn')}`,
      ...creditNoteEntry(1_000),
      orderId: input.orderId,
      invoiceNumber,
      currency: 'USD',
      postedAt: new Date(),
    });
    await h.database.db.update(orders).set({ amountDueMinor: 99_000 }).where(eq(orders.id, input.orderId));

    expect(await auditFindings(h.database.db, scope)).toEqual([]);
    expect(await auditFindings(h.database.db, scope, { temporal: env.client })).toEqual([
      `workflow-balance order ${input.orderId} (invoice ${invoiceNumber}): workflow balance 100000, books balance 99000`,
    ]);
    expect((await handle.query(getOrderQuery)).balanceMinor).toBe(100_000);

    // The operator's command says the same, asked to compare with the workflows.
    const run = await runAuditCommand(['--customer', input.customerId, '--temporal', env.address, '--recheck-ms', '0'], {
      DATABASE_URL: inject('databaseUrl'),
    });
    expect(run).toMatchObject({ code: 1, stderr: '' });
    expect(run.stdout.trim().split('\n')).toEqual([
      `workflow-balance order ${input.orderId} (invoice ${invoiceNumber}): workflow balance 100000, books balance 99000`,
      'ledger audit: 1 finding: 2 orders (2 invoiced), 4 journal entries, 1 invoice series (2 invoices), 1 payment, ' +
        '1 workflow view compared (1 gone, 0 not answering, not compared)',
    ]);
    await handle.terminate('test done');
  });
});
