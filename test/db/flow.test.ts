import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import {
  chargeFee,
  closeInvoice,
  getInvoice,
  getReceivableTotals,
  issueCreditNote,
  issueInvoice,
} from '../../db/queries/billing.js';
import { listDunningEvents, recordDispute, recordDunningEvent, resolveDispute } from '../../db/queries/collections.js';
import { upsertCustomer } from '../../db/queries/customers.js';
import { type JournalKind, type LedgerAccount, postJournalEntry, trialBalance } from '../../db/queries/ledger.js';
import { enqueueNotification, listNotifications } from '../../db/queries/notifications.js';
import {
  getCreditProfile,
  getOrderRow,
  type NewOrder,
  recordOrder,
  recordShipment,
  writeOrderRow,
} from '../../db/queries/orders.js';
import { recordPayment } from '../../db/queries/payments.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';

const t = (iso: string) => new Date(iso);

// One order from capture to close through every query module, on both databases the
// engine runs on: PostgreSQL in production and tests, PGlite for `npm start`.
describe.each(['postgres', 'pglite'] as const)('an order to cash on %s', (kind) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    if (kind === 'postgres') {
      handle = await openTestDatabase();
    } else {
      handle = await openDatabase({ kind: 'pglite' });
      await handle.migrate();
    }
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('records, invoices, dunns, settles and reconciles with balanced books', async () => {
    const { db } = handle;
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');
    const series = uniqueId('S').toUpperCase();
    await upsertCustomer(db, {
      id: customerId,
      name: 'Acme',
      currency: 'EUR',
      creditLimitMinor: 100_000,
      paymentTermsDays: 30,
      contactEmail: null,
    });

    // Capture, credit check, shipment.
    const order: NewOrder = {
      orderId,
      workflowId: `order:${orderId}`,
      customerId,
      currency: 'EUR',
      taxRateBps: 2000,
      paymentTermsDays: 30,
      subtotalMinor: 10_000,
      taxMinor: 2_000,
      totalMinor: 12_000,
      status: 'credit_review',
      lines: [{ lineId: 'l1', sku: 'W', description: 'Widget', quantity: 4, unitPriceMinor: 2_500 }],
    };
    expect(await recordOrder(db, order)).toEqual({ created: true });
    expect(await recordOrder(db, order)).toEqual({ created: false });
    expect(await getCreditProfile(db, customerId, orderId, '2025-01-01')).toEqual({
      limitMinor: 100_000,
      openReceivablesMinor: 0,
      openOrdersMinor: 0,
      overdueMinor: 0,
    });
    await writeOrderRow(db, orderId, 1, { status: 'awaiting_shipment' });
    const shipment = {
      orderId,
      shipmentId: 'S1',
      shippedAt: t('2025-01-01T08:00:00Z'),
      lines: [{ lineId: 'l1', quantity: 4 }],
    };
    expect(await recordShipment(db, shipment)).toEqual({ created: true });
    expect(await recordShipment(db, shipment)).toEqual({ created: false });

    // Invoice.
    const invoiceInput = {
      orderId,
      customerId,
      currency: 'EUR',
      series,
      issuedAt: t('2025-01-01T10:00:00Z'),
      dueDate: '2025-01-31',
      lines: [{ lineId: 'l1', description: 'Widget', quantity: 4, unitPriceMinor: 2_500, amountMinor: 10_000 }],
      subtotalMinor: 10_000,
      taxMinor: 2_000,
      totalMinor: 12_000,
    };
    const { invoiceNumber } = await issueInvoice(db, invoiceInput);
    expect(invoiceNumber).toBe(`${series}-000001`);
    expect(await issueInvoice(db, invoiceInput)).toEqual({ invoiceNumber, sequence: 1, created: false });

    const post = (key: string, k: JournalKind, postedAt: string, lines: Array<[LedgerAccount, number, number]>) =>
      postJournalEntry(db, {
        entryKey: `order:${orderId}:journal:${key}`,
        kind: k,
        orderId,
        invoiceNumber,
        currency: 'EUR',
        postedAt: t(postedAt),
        lines: lines.map(([account, debitMinor, creditMinor]) => ({ account, debitMinor, creditMinor })),
      });
    const pay = (paymentReference: string, amountMinor: number, appliedMinor: number, receivedAt: string) =>
      recordPayment(db, {
        paymentReference: `${orderId}:${paymentReference}`,
        customerId,
        orderId,
        invoiceNumber,
        amountMinor,
        currency: 'EUR',
        method: 'bank_transfer',
        receivedAt: t(receivedAt),
        appliedMinor,
        unappliedMinor: amountMinor - appliedMinor,
      });

    await post('invoice', 'invoice', '2025-01-01T10:00:00Z', [
      ['accounts_receivable', 12_000, 0],
      ['revenue', 0, 10_000],
      ['tax_payable', 0, 2_000],
    ]);
    await writeOrderRow(db, orderId, 2, {
      status: 'awaiting_payment',
      invoiceNumber,
      dueDate: '2025-01-31',
      amountDueMinor: 12_000,
    });
    expect(await getCreditProfile(db, customerId, uniqueId('order'), '2025-02-01')).toMatchObject({
      openReceivablesMinor: 12_000,
      overdueMinor: 12_000,
      openOrdersMinor: 0,
    });

    // A partial payment, then a dunning level with its fee.
    await pay('P1', 5_000, 5_000, '2025-01-20T00:00:00Z');
    await post('payment:P1', 'payment', '2025-01-20T00:00:00Z', [
      ['cash', 5_000, 0],
      ['accounts_receivable', 0, 5_000],
    ]);
    const dunnedAt = '2025-02-07T09:00:00Z';
    await chargeFee(db, { invoiceNumber, level: 1, amountMinor: 500, chargedAt: t(dunnedAt) });
    await post('fee:level-1', 'fee', dunnedAt, [
      ['accounts_receivable', 500, 0],
      ['fee_income', 0, 500],
    ]);
    await recordDunningEvent(db, {
      invoiceNumber,
      stepKey: 'level-1',
      level: 1,
      template: 'reminder',
      channel: 'email',
      amountQuotedMinor: 7_500,
      feeMinor: 500,
      sentAt: t(dunnedAt),
    });
    await enqueueNotification(db, {
      notificationKey: `order:${orderId}:notice:dunning:level-1`,
      template: 'reminder',
      channel: 'email',
      recipient: 'ap@acme.example',
      subjectType: 'order',
      subjectId: orderId,
      data: { amountDueMinor: 7_500 },
    });
    await writeOrderRow(db, orderId, 3, { status: 'overdue', dunningLevel: 1, amountDueMinor: 7_500 });

    // A dispute accepted in full, credited.
    await recordDispute(db, {
      orderId,
      disputeId: 'D1',
      invoiceNumber,
      amountMinor: 2_000,
      reason: 'one widget broken',
      openedBy: 'buyer',
      openedAt: t('2025-02-08T00:00:00Z'),
      resumeOn: null,
    });
    await resolveDispute(db, {
      orderId,
      disputeId: 'D1',
      status: 'accepted',
      acceptedMinor: 2_000,
      resolvedBy: 'erin',
      resolvedAt: t('2025-02-09T00:00:00Z'),
      comment: null,
    });
    await issueCreditNote(db, {
      creditNoteId: `CN-${invoiceNumber}-D1`,
      invoiceNumber,
      disputeId: 'D1',
      amountMinor: 2_000,
      reason: 'one widget broken',
      issuedAt: t('2025-02-09T00:00:00Z'),
    });
    await post('credit-note:D1', 'credit_note', '2025-02-09T00:00:00Z', [
      ['revenue', 2_000, 0],
      ['accounts_receivable', 0, 2_000],
    ]);

    // 5 500 is open; the customer pays 6 000 and 500 becomes credit.
    await pay('P2', 6_000, 5_500, '2025-02-12T00:00:00Z');
    await post('payment:P2', 'payment', '2025-02-12T00:00:00Z', [
      ['cash', 6_000, 0],
      ['accounts_receivable', 0, 5_500],
      ['customer_credit', 0, 500],
    ]);

    // Reconciliation: the receivable from the books, and the ledger, both net to zero.
    expect(await getReceivableTotals(db, invoiceNumber)).toEqual({
      invoiceTotalMinor: 12_000,
      feesMinor: 500,
      appliedPaymentsMinor: 10_500,
      creditNotesMinor: 2_000,
      writtenOffMinor: 0,
    });
    const tb = await trialBalance(db, orderId);
    expect(tb.debitsMinor).toBe(tb.creditsMinor);
    expect(tb.byAccount).toEqual({
      accounts_receivable: 0,
      revenue: -8_000,
      tax_payable: -2_000,
      fee_income: -500,
      cash: 11_000,
      customer_credit: -500,
    });

    const closedAt = t('2025-02-12T00:05:00Z');
    await closeInvoice(db, invoiceNumber, 'closed', closedAt);
    await writeOrderRow(db, orderId, 4, { status: 'closed', amountDueMinor: 0, closedAt });
    expect(await getInvoice(db, invoiceNumber)).toMatchObject({ status: 'closed', closedAt });
    expect(await getOrderRow(db, orderId)).toMatchObject({
      status: 'closed',
      amountDueMinor: 0,
      dunningLevel: 1,
      invoiceNumber,
      closedAt,
    });
    expect(await getCreditProfile(db, customerId, uniqueId('order'), '2025-03-01')).toMatchObject({
      openReceivablesMinor: 0,
      openOrdersMinor: 0,
      overdueMinor: 0,
    });
    expect(await listDunningEvents(db, invoiceNumber)).toHaveLength(1);
    expect(await listNotifications(db, 'order', orderId)).toHaveLength(1);
  });
});
