// The ledger audit on real PostgreSQL: books written by the real activities, as the workflow
// leaves them, audit clean; then each invariant is broken on its own and the audit names it.
// Every test builds books of its own customer and audits that customer only.
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities/index.js';
import type { DatabaseHandle } from '../../../db/client.js';
import { closeInvoice, issueCreditNote } from '../../../db/queries/billing.js';
import { upsertCustomer } from '../../../db/queries/customers.js';
import { postJournalEntry } from '../../../db/queries/ledger.js';
import { invoiceSeries } from '../../../db/schema/billing.js';
import { journalEntries, journalLines } from '../../../db/schema/ledger.js';
import { orders } from '../../../db/schema/orders.js';
import { paymentApplications } from '../../../db/schema/payments.js';
import { type WorkflowBalance, type WorkflowViews, auditLedger } from '../../../workers/audit/ledger.js';
import { findingLine } from '../../../workflows/order/rules/ledger-audit.js';
import type { OrderInput, OrderView } from '../../../workflows/order/contract.js';
import { draftInvoice } from '../../../workflows/order/rules/invoice.js';
import { STANDARD_ORDER_POLICY } from '../../../workflows/order/rules/policy.js';
import { openTestDatabase, uniqueId } from '../../helpers/database.js';
import { auditBooks, auditFindings, expectBooksClean } from '../../helpers/ledger-audit.js';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

type Activities = ReturnType<typeof createActivities>;

/** One order's activities, run as its workflow would run them. */
function orderSteps(orderId: string) {
  const mock = new MockActivityEnvironment({ workflowExecution: { workflowId: `order:${orderId}`, runId: 'run-1' } });
  const activities = createActivities({ db: database.db });
  const run = mock.run.bind(mock) as (activity: unknown, ...args: unknown[]) => Promise<unknown>;
  return <K extends keyof Activities>(name: K, ...args: Parameters<Activities[K]>) => run(activities[name], ...args) as ReturnType<Activities[K]>;
}

/**
 * A customer's books as the workflow leaves them, each order at rest:
 * - `paid`: invoiced 12 000, paid 15 000 (3 000 kept as credit), reconciled and closed;
 * - `dunned`: invoiced 12 000, paid 5 000, a dispute accepted for 1 000 (credit note), another
 *   of 2 000 still open, then the level-2 notice with its 1 500 fee: 7 500 owed, as its row says;
 * - `cancelled`: cancelled before shipment; `waiting`: approved, waiting for shipment.
 */
async function cleanBooks() {
  const customerId = uniqueId('cust');
  await upsertCustomer(database.db, {
    id: customerId,
    name: 'Audit GmbH',
    currency: 'EUR',
    creditLimitMinor: 10_000_000,
    paymentTermsDays: 30,
    contactEmail: 'ap@audit.example',
  });
  const series = `AU${uniqueId('S').slice(2).replaceAll('-', '').toUpperCase()}`;
  const lines = [{ lineId: 'l1', sku: 'S', description: 'Service', quantity: 1, unitPriceMinor: 10_000 }];
  async function admitted() {
    const input: OrderInput = {
      orderId: uniqueId('ord'),
      customerId,
      currency: 'EUR',
      lines,
      taxRateBps: 2000,
      paymentTermsDays: 30,
      policy: STANDARD_ORDER_POLICY,
    };
    const step = orderSteps(input.orderId);
    await step('admitOrder', { ...input, workflowId: `order:${input.orderId}` });
    return { orderId: input.orderId, step };
  }
  async function invoiced() {
    const order = await admitted();
    const invoice = await order.step('issueInvoice', {
      orderId: order.orderId,
      customerId,
      currency: 'EUR',
      series,
      issuedAt: '2026-01-02T09:00:00.000Z',
      dueDate: '2026-02-01',
      draft: draftInvoice(lines, { l1: 1 }, 2000),
    });
    return { ...order, invoiceNumber: invoice.invoiceNumber };
  }
  const payment = (o: { orderId: string; invoiceNumber: string }, reference: string, amountMinor: number) => ({
    orderId: o.orderId,
    customerId,
    invoiceNumber: o.invoiceNumber,
    paymentReference: reference,
    amountMinor,
    currency: 'EUR',
    method: 'bank_transfer' as const,
    receivedAt: '2026-01-20T10:00:00.000Z',
  });

  const paid = await invoiced();
  const paidRef = uniqueId('pay');
  expect(await paid.step('applyPayment', payment(paid, paidRef, 15_000))).toMatchObject({ created: true, appliedMinor: 12_000, unappliedMinor: 3_000 });
  expect(await paid.step('reconcileOrder', { orderId: paid.orderId, invoiceNumber: paid.invoiceNumber, writtenOff: false })).toMatchObject({
    balanced: true,
  });
  const finalView = { orderId: paid.orderId, status: 'closed', balanceMinor: 0 } as OrderView;
  await paid.step('syncOrder', {
    orderId: paid.orderId,
    revision: 1,
    status: 'closed',
    amountDueMinor: 0,
    dunningLevel: 0,
    invoiceNumber: paid.invoiceNumber,
    dueDate: '2026-02-01',
    closed: true,
    finalView,
  });

  const dunned = await invoiced();
  const dunnedRef = uniqueId('pay');
  await dunned.step('applyPayment', payment(dunned, dunnedRef, 5_000));
  const dispute = { orderId: dunned.orderId, invoiceNumber: dunned.invoiceNumber, reason: 'damaged', openedBy: 'ap@audit.example' };
  await dunned.step('recordDispute', { ...dispute, disputeId: 'd1', amountMinor: 1_000, openedAt: '2026-01-21T00:00:00.000Z', resumeOn: null });
  expect(
    await dunned.step('resolveDispute', {
      orderId: dunned.orderId,
      invoiceNumber: dunned.invoiceNumber,
      disputeId: 'd1',
      outcome: 'accepted',
      acceptedMinor: 1_000,
      currency: 'EUR',
      resolvedBy: 'finance',
      resolvedAt: '2026-01-22T00:00:00.000Z',
      comment: null,
    }),
  ).toMatchObject({ outcome: 'accepted', acceptedMinor: 1_000, creditNoteId: `CN-${dunned.invoiceNumber}-d1` });
  await dunned.step('recordDispute', { ...dispute, disputeId: 'd2', amountMinor: 2_000, openedAt: '2026-01-23T00:00:00.000Z', resumeOn: '2026-01-25' });
  // The workflow writes its row where it waits: the balance after the payment and the credit note.
  await dunned.step('syncOrder', {
    orderId: dunned.orderId,
    revision: 1,
    status: 'disputed',
    amountDueMinor: 6_000,
    dunningLevel: 0,
    invoiceNumber: dunned.invoiceNumber,
    dueDate: '2026-02-01',
    closed: false,
  });
  const notice = await dunned.step('sendDunningNotice', {
    orderId: dunned.orderId,
    customerId,
    invoiceNumber: dunned.invoiceNumber,
    currency: 'EUR',
    dueDate: '2026-02-01',
    step: { key: 'level-2', kind: 'level', level: 2, at: '2026-02-16T00:00:00.000Z', template: 'second_notice', channel: 'email', feeMinor: 1_500 },
    openDisputedMinor: 2_000,
    sentAt: '2026-02-16T00:00:00.000Z',
  });
  expect(notice).toEqual({ sent: true, amountQuotedMinor: 5_500, feeMinor: 1_500, books: { balanceMinor: 7_500, writtenOffMinor: 0 } });
  // Where the order waits next, it writes the balance the fee raised.
  await dunned.step('syncOrder', {
    orderId: dunned.orderId,
    revision: 2,
    status: 'disputed',
    amountDueMinor: 7_500,
    dunningLevel: 2,
    invoiceNumber: dunned.invoiceNumber,
    dueDate: '2026-02-01',
    closed: false,
  });

  const cancelled = await admitted();
  await cancelled.step('syncOrder', {
    orderId: cancelled.orderId,
    revision: 1,
    status: 'cancelled',
    amountDueMinor: 0,
    dunningLevel: 0,
    invoiceNumber: null,
    dueDate: null,
    closed: true,
  });
  const waiting = await admitted();

  return { customerId, series, paid: { ...paid, paymentReference: paidRef }, dunned: { ...dunned, paymentReference: dunnedRef }, cancelled, waiting, payment };
}

type Books = Awaited<ReturnType<typeof cleanBooks>>;
const audit = (books: Books) => auditFindings(database.db, { customerIds: [books.customerId] });
const setRow = (orderId: string, set: Partial<typeof orders.$inferInsert>) => database.db.update(orders).set(set).where(eq(orders.id, orderId));

describe('the ledger audit on books the activities wrote', () => {
  it('finds them clean, and says what it looked at', async () => {
    const books = await cleanBooks();
    const report = await expectBooksClean(database.db, { customerIds: [books.customerId] });
    expect(report.counts).toEqual({
      orders: 4,
      invoicedOrders: 2,
      // paid: invoice, payment; dunned: invoice, payment, credit note, fee
      journalEntries: 6,
      invoiceSeries: 1,
      invoices: 2,
      payments: 2,
      workflows: null,
    });
    // Scoped by order, it reads that order and what it touches.
    const one = await auditBooks(database.db, { orderIds: [books.paid.orderId] });
    expect(one).toEqual({ findings: [], counts: { ...report.counts, orders: 1, invoicedOrders: 1, journalEntries: 2, payments: 1 }, silence: null });
  });

  it('reads page by page: a page of one row finds what one page of all does', async () => {
    const books = await cleanBooks();
    await setRow(books.dunned.orderId, { amountDueMinor: 99 });
    const scope = { customerIds: [books.customerId] };
    const whole = await auditLedger(database.db, scope);
    expect(await auditLedger(database.db, scope, { pageSize: 1 })).toEqual(whole);
    expect(whole.findings).toHaveLength(1);
  });

  it('names an entry whose debits are not its credits', async () => {
    const books = await cleanBooks();
    const [entry] = await database.db
      .insert(journalEntries)
      .values({ entryKey: `order:${books.dunned.orderId}:journal:manual`, kind: 'fee', orderId: books.dunned.orderId, invoiceNumber: books.dunned.invoiceNumber, currency: 'EUR', postedAt: new Date() })
      .returning({ id: journalEntries.id });
    await database.db.insert(journalLines).values([
      { entryId: entry!.id, lineNo: 1, account: 'cash', debitMinor: 700, creditMinor: 0 },
      { entryId: entry!.id, lineNo: 2, account: 'fee_income', debitMinor: 0, creditMinor: 500 },
    ]);
    expect(await audit(books)).toEqual([
      `unbalanced-entry entry ${entry!.id} (fee order:${books.dunned.orderId}:journal:manual, order ${books.dunned.orderId}): debits 700, credits 500`,
    ]);
  });

  it('names a payment applied twice, to both invoices', async () => {
    const books = await cleanBooks();
    await database.db.insert(paymentApplications).values({
      paymentReference: books.paid.paymentReference,
      invoiceNumber: books.dunned.invoiceNumber,
      appliedMinor: 3_000,
      appliedAt: new Date('2026-01-20T10:00:00Z'),
    });
    const findings = await audit(books);
    expect(findings).toContain(
      `payment-applied-twice payment ${books.paid.paymentReference} (order ${books.paid.orderId}): applied 2 times: ` +
        `${books.paid.invoiceNumber} (order ${books.paid.orderId}) 12000, ${books.dunned.invoiceNumber} (order ${books.dunned.orderId}) 3000`,
    );
    // What else the second application broke: the payment's split and posting, and the other order's books.
    expect(findings.map((f) => f.split(' ')[0]).sort()).toEqual([
      'ledger-receivable',
      'payment-applied-elsewhere',
      'payment-applied-twice',
      'payment-posting',
      'payment-split',
      'row-amount-due',
    ]);
  });

  it('names a payment posted twice under two keys', async () => {
    const books = await cleanBooks();
    // The dunned order's workflow posts the paid order's payment as its own.
    const key = `order:${books.dunned.orderId}:journal:payment:${books.paid.paymentReference}`;
    await postJournalEntry(database.db, {
      entryKey: key,
      kind: 'payment',
      orderId: books.dunned.orderId,
      invoiceNumber: books.dunned.invoiceNumber,
      currency: 'EUR',
      postedAt: new Date(),
      lines: [
        { account: 'cash', debitMinor: 1_000, creditMinor: 0 },
        { account: 'accounts_receivable', debitMinor: 0, creditMinor: 1_000 },
      ],
    });
    const [again] = await database.db.select({ id: journalEntries.id }).from(journalEntries).where(eq(journalEntries.entryKey, key));
    const [first] = await database.db
      .select({ id: journalEntries.id })
      .from(journalEntries)
      .where(eq(journalEntries.entryKey, `order:${books.paid.orderId}:journal:payment:${books.paid.paymentReference}`));
    expect(await audit(books)).toEqual([
      `ledger-receivable order ${books.dunned.orderId} (invoice ${books.dunned.invoiceNumber}): ledger receivable 6500, books balance 7500 (payments: books 5000, ledger 6000)`,
      `payment-posted-twice payment ${books.paid.paymentReference} (order ${books.paid.orderId}): posted by entry ${first!.id} and again by entry ${again!.id} of order ${books.dunned.orderId} (key ${key})`,
    ]);
  });

  it('names the numbers a series skipped', async () => {
    const books = await cleanBooks();
    // A number handed out and lost, then the next invoice of the series.
    await database.db.update(invoiceSeries).set({ lastNumber: sql`${invoiceSeries.lastNumber} + 1` }).where(eq(invoiceSeries.series, books.series));
    const invoice = await books.waiting.step('issueInvoice', {
      orderId: books.waiting.orderId,
      customerId: books.customerId,
      currency: 'EUR',
      series: books.series,
      issuedAt: '2026-01-05T09:00:00.000Z',
      dueDate: '2026-02-04',
      draft: draftInvoice([{ lineId: 'l1', sku: 'S', description: 'Service', quantity: 1, unitPriceMinor: 10_000 }], { l1: 1 }, 2000),
    });
    await books.waiting.step('syncOrder', {
      orderId: books.waiting.orderId,
      revision: 1,
      status: 'awaiting_payment',
      amountDueMinor: invoice.totalMinor,
      dunningLevel: 0,
      invoiceNumber: invoice.invoiceNumber,
      dueDate: '2026-02-04',
      closed: false,
    });
    expect(await audit(books)).toEqual([
      `invoice-number-gap series ${books.series}: after ${books.series}-000002 comes ${books.series}-000004: ${books.series}-000003 missing`,
    ]);
  });

  it('names a row whose amount due is not the books\' balance', async () => {
    const books = await cleanBooks();
    await setRow(books.dunned.orderId, { amountDueMinor: 12_000 });
    expect(await audit(books)).toEqual([
      `row-amount-due order ${books.dunned.orderId} (invoice ${books.dunned.invoiceNumber}): row amount due 12000, books balance 7500`,
    ]);
  });

  it('names a row a payment left behind', async () => {
    const books = await cleanBooks();
    await books.dunned.step('applyPayment', books.payment(books.dunned, uniqueId('pay'), 1_000));
    expect(await audit(books)).toEqual([
      `row-amount-due order ${books.dunned.orderId} (invoice ${books.dunned.invoiceNumber}): row amount due 7500, books balance 6500`,
    ]);
  });

  it('names a credit note the ledger never saw', async () => {
    const books = await cleanBooks();
    await issueCreditNote(database.db, {
      creditNoteId: uniqueId('cn'),
      invoiceNumber: books.dunned.invoiceNumber,
      disputeId: null,
      amountMinor: 500,
      reason: 'goodwill',
      issuedAt: new Date(),
    });
    await setRow(books.dunned.orderId, { amountDueMinor: 7_000 });
    expect(await audit(books)).toEqual([
      `ledger-receivable order ${books.dunned.orderId} (invoice ${books.dunned.invoiceNumber}): ledger receivable 7500, books balance 7000 (credit notes: books 1500, ledger 1000)`,
    ]);
  });

  it('names a closed order whose invoice is open, and a cancelled one with no closing time', async () => {
    const books = await cleanBooks();
    await setRow(books.dunned.orderId, { status: 'closed', closedAt: new Date(), amountDueMinor: 0 });
    await setRow(books.cancelled.orderId, { closedAt: null });
    const findings = await audit(books);
    expect(findings.sort()).toEqual([
      `closed-order-open-invoice order ${books.dunned.orderId} (invoice ${books.dunned.invoiceNumber}): status closed, invoice status open`,
      `closed-without-closed-at order ${books.cancelled.orderId}: status cancelled, closed_at not set`,
    ]);
  });

  it('names an invoice closed while money is owed on it', async () => {
    const books = await cleanBooks();
    await closeInvoice(database.db, books.dunned.invoiceNumber, 'closed', new Date());
    expect(await audit(books)).toEqual([
      `closed-invoice-open-order order ${books.dunned.orderId} (invoice ${books.dunned.invoiceNumber}): invoice status closed, status disputed`,
      `closed-invoice-balance order ${books.dunned.orderId} (invoice ${books.dunned.invoiceNumber}): invoice status closed, books balance 7500, expected 0`,
    ]);
  });

  it('asks the workflow of each live invoiced order for its balance, and stops asking when none answers', async () => {
    const a = await cleanBooks();
    const b = await cleanBooks();
    const scope = { customerIds: [a.customerId, b.customerId] };
    const asked: string[] = [];
    const views = (answer: (workflowId: string) => WorkflowBalance): WorkflowViews => ({
      balance: async (workflowId) => {
        asked.push(workflowId);
        return answer(workflowId);
      },
    });
    const answered = await auditLedger(database.db, scope, {
      views: views((id) => (id === `order:${a.dunned.orderId}` ? { kind: 'answered', balanceMinor: 7_500 } : { kind: 'gone' })),
    });
    // Only the dunned orders are live and invoiced: the paid one is closed, the others have no invoice.
    expect(asked.sort()).toEqual([`order:${a.dunned.orderId}`, `order:${b.dunned.orderId}`].sort());
    expect(answered.findings).toEqual([]);
    expect(answered.counts.workflows).toEqual({ compared: 1, gone: 1, silent: 0 });

    const differs = await auditLedger(database.db, { orderIds: [a.dunned.orderId] }, { views: views(() => ({ kind: 'answered', balanceMinor: 6_000 })) });
    expect(differs.findings.map(findingLine)).toEqual([
      `workflow-balance order ${a.dunned.orderId} (invoice ${a.dunned.invoiceNumber}): workflow balance 6000, books balance 7500`,
    ]);

    asked.length = 0;
    const silent = await auditLedger(database.db, scope, {
      views: views(() => ({ kind: 'silent', reason: 'deadline exceeded' })),
      silentLimit: 1,
      concurrency: 1,
    });
    expect(asked).toHaveLength(1);
    expect(silent.findings).toEqual([]);
    expect(silent.counts.workflows).toEqual({ compared: 0, gone: 0, silent: 2 });
    expect(silent.silence).toMatch(/^order:.*: deadline exceeded$/);
    expect(answered.silence).toBeNull();
  });

  it('sees only the books in its scope', async () => {
    const broken = await cleanBooks();
    await setRow(broken.dunned.orderId, { amountDueMinor: 1 });
    const clean = await cleanBooks();
    expect(await audit(clean)).toEqual([]);
    expect(await audit(broken)).toHaveLength(1);
    await expect(auditLedger(database.db, { orderIds: [], customerIds: [] })).rejects.toThrow(/at least one order or customer/);
  });
});
