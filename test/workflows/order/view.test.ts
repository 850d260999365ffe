import { describe, expect, it } from 'vitest';
import type { OrderInput, OrderView } from '../../../workflows/order/contract.js';
import { endView, newOrderView, rowFigures } from '../../../workflows/order/view.js';

const input = {
  orderId: 'o-1',
  customerId: 'c-1',
  currency: 'EUR',
  lines: [{ lineId: 'l1', sku: 'W', description: 'Widget', quantity: 3, unitPriceMinor: 1_000 }],
} as OrderInput;

describe('order view', () => {
  it('starts in credit review with nothing shipped, owed or decided', () => {
    const view = newOrderView(input, '2026-12-01T09:00:00.000Z');
    expect(view).toMatchObject({ status: 'credit_review', shippedQuantities: { l1: 0 }, invoice: null, balanceMinor: 0 });
    expect(view.credit.outcome).toBeNull();
    expect(view.timeline).toEqual([{ at: '2026-12-01T09:00:00.000Z', event: 'order received' }]);
  });

  it('ends with its status, reason and a last timeline entry, and nothing next', () => {
    const view = newOrderView(input, '2026-12-01T09:00:00.000Z');
    view.nextStep = { at: '2026-12-15T00:00:00.000Z', what: 'cancel what has not shipped' };
    endView(view, 'cancelled', 'cancelled by shop: no stock', '2026-12-02T10:00:00.000Z');
    expect(view).toMatchObject({ status: 'cancelled', closedReason: 'cancelled by shop: no stock', nextStep: null });
    expect(view.timeline.at(-1)).toEqual({ at: '2026-12-02T10:00:00.000Z', event: 'cancelled', detail: 'cancelled by shop: no stock' });
  });
});

describe("what the order's row keeps", () => {
  it('takes the status, the balance as amount due, the level and the invoice from the view', () => {
    const view = newOrderView(input, '2026-12-01T09:00:00.000Z');
    expect(rowFigures(view)).toEqual({ status: 'credit_review', amountDueMinor: 0, dunningLevel: 0, invoiceNumber: null, dueDate: null });
    view.status = 'overdue';
    view.balanceMinor = 2_500;
    view.dunningLevel = 2;
    view.invoice = { invoiceNumber: 'INV-9', dueDate: '2026-12-31' } as OrderView['invoice'];
    expect(rowFigures(view)).toEqual({ status: 'overdue', amountDueMinor: 2_500, dunningLevel: 2, invoiceNumber: 'INV-9', dueDate: '2026-12-31' });
  });
});
