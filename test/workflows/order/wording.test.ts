import { describe, expect, it } from 'vitest';
import type { OrderInput, OrderView } from '../../../workflows/order/contract.js';
import type { DunningStep } from '../../../workflows/order/rules/dunning.js';
import { newOrderView } from '../../../workflows/order/view.js';
import { closeReasons, currentDetails, nextStepWording, orderSummary, timeline } from '../../../workflows/order/wording.js';

const input = {
  orderId: 'o-1',
  customerId: 'c-1',
  currency: 'USD',
  lines: [
    { lineId: 'l1', sku: 'W', description: 'Widget', quantity: 10, unitPriceMinor: 10_000 },
    { lineId: 'l2', sku: 'G', description: 'Gadget', quantity: 2, unitPriceMinor: 25_000 },
  ],
  paymentTermsDays: 30,
} as OrderInput;

function view(over: Partial<OrderView> = {}): OrderView {
  return { ...newOrderView(input, '2026-12-01T09:00:00.000Z'), shippedQuantities: { l1: 4, l2: 0 }, ...over };
}

const invoice = {
  invoiceNumber: 'INV-000007',
  issuedAt: '2026-12-01T10:00:00.000Z',
  dueDate: '2026-12-31',
  lines: [],
  subtotalMinor: 150_000,
  taxMinor: 30_000,
  totalMinor: 180_000,
};

const dispute = {
  disputeId: 'd-1',
  amountMinor: 30_000,
  reason: 'damaged',
  openedBy: 'cs',
  openedAt: '2026-12-02T00:00:00.000Z',
  resumeOn: null,
  acceptedMinor: 0,
  resolvedBy: null,
  resolvedAt: null,
  comment: null,
};

describe('currentDetails', () => {
  it('says what each status waits for, with the next step and its date', () => {
    expect(currentDetails(view())).toBe('checking credit');
    expect(
      currentDetails(
        view({
          status: 'credit_hold',
          credit: { ...view().credit, outcome: 'held', reasons: ['exposure exceeds the limit'], escalationLevel: 1 },
          nextStep: { at: '2026-12-04T10:00:00.000Z', what: nextStepWording.cancelUndecided },
        }),
      ),
    ).toBe(
      'held for a credit decision by finance (escalation level 1): exposure exceeds the limit, next cancel for want of a credit decision on 2026-12-04',
    );
    expect(currentDetails(view({ status: 'partially_shipped' }))).toBe('waiting for shipment (l1 4/10, l2 0/2)');
    expect(currentDetails(view({ status: 'overdue', invoice, dunnableMinor: 150_000 }))).toBe(
      'waiting for payment of USD 1,500.00, due 2026-12-31',
    );
  });

  it('names open disputes, collections, and a failed reconciliation for a person', () => {
    const disputes = [
      { ...dispute, status: 'open' as const },
      { ...dispute, disputeId: 'd-2', status: 'rejected' as const },
    ];
    expect(currentDetails(view({ status: 'disputed', disputes, balanceMinor: 180_000 }))).toBe(
      'dunning paused: 1 open dispute(s) over USD 300.00; balance USD 1,800.00',
    );
    expect(currentDetails(view({ status: 'in_collections', balanceMinor: 184_500 }))).toBe(
      'with collections: USD 1,845.00 open; waiting for payment or a write-off',
    );
    expect(currentDetails(view({ status: 'reconciliation_failed', closedReason: 'Not balanced' }))).toBe(
      'reconciliation failed, needs a person: Not balanced',
    );
    expect(currentDetails(view({ status: 'closed', closedReason: 'paid and reconciled' }))).toBe('closed: paid and reconciled');
  });
});

describe('timeline', () => {
  it('describes each event with its figures in the order currency', () => {
    expect(timeline.invoiceIssued(invoice, 'USD')).toEqual({ event: 'invoice issued', detail: 'INV-000007: USD 1,800.00, due 2026-12-31' });
    const payment = { paymentReference: 'p-1', amountMinor: 200_000, currency: 'USD', method: 'card' as const, receivedAt: '' };
    expect(timeline.paymentReceived(payment, { unappliedMinor: 20_000 }, 'USD')).toEqual({
      event: 'payment received',
      detail: 'p-1: USD 2,000.00, USD 200.00 kept as customer credit',
    });
    expect(timeline.paymentReceived(payment, { unappliedMinor: 0 }, 'USD').detail).toBe('p-1: USD 2,000.00');
    expect(timeline.shipmentRecorded({ shipmentId: 's-1', lines: [{ lineId: 'l1', quantity: 4 }, { lineId: 'l2', quantity: 1 }] })).toEqual({
      event: 'shipment recorded',
      detail: 's-1: l1×4, l2×1',
    });
  });

  it('tells a write-off from one that found nothing left to write off', () => {
    expect(timeline.writtenOff(184_500, 'cfo', 'insolvent', 'USD')).toEqual({ event: 'written off', detail: 'USD 1,845.00 approved by cfo: insolvent' });
    expect(timeline.writtenOff(0, 'cfo', 'insolvent', 'USD')).toEqual({
      event: 'write-off not needed',
      detail: 'paid in full before the write-off approved by cfo',
    });
  });

  it('says whether a dunning notice went out and what it quoted', () => {
    const step: DunningStep = { key: 'level-2', kind: 'level', level: 2, at: '', template: 'second_notice', channel: 'email', feeMinor: 1_500 };
    expect(timeline.dunningNotice(step, true, 181_500, 'USD')).toEqual({
      event: 'dunning level 2 (second_notice) sent',
      detail: 'quoting USD 1,815.00',
    });
    expect(timeline.dunningNotice(step, false, 0, 'USD').event).toBe('dunning level 2 (second_notice) not sent');
  });

  it('ends with the status in words and the reason', () => {
    expect(timeline.ended('credit_rejected', 'over the limit')).toEqual({ event: 'credit rejected', detail: 'over the limit' });
    expect(timeline.creditDecided({ decision: 'approve', decidedBy: 'alice' })).toEqual({ event: 'credit approved by alice' });
    expect(timeline.disputeResolved('d-1', 'accepted', 25_000, 'alice', 'USD').detail).toBe('d-1: credit note for USD 250.00 (by alice)');
  });
});

describe('reasons and summary', () => {
  it('words why an order ended', () => {
    expect(closeReasons.settled(0, 18_000)).toBe('paid and reconciled');
    expect(closeReasons.settled(1, 18_000)).toBe('written off');
    expect(closeReasons.settled(0, 0)).toBe('nothing to pay; reconciled');
    expect(closeReasons.cancelledBy({ requestedBy: 'shop', reason: 'changed mind' })).toBe('cancelled by shop: changed mind');
    expect(closeReasons.creditRejected([])).toBe('credit rejected');
  });

  it('summarises an order for Temporal UI', () => {
    expect(orderSummary(input, 'USD 1,800.00')).toBe('Order o-1 for customer c-1: USD 1,800.00, 2 line(s), net 30 days');
  });
});
