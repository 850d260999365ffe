import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { trialBalance } from '../../../db/queries/ledger.js';
import { getOrderRow } from '../../../db/queries/orders.js';
import {
  type OrderInput,
  getOrderQuery,
  openDisputeUpdate,
  recordPaymentUpdate,
  recordShipmentUpdate,
} from '../../../workflows/order/contract.js';
import type { orderWorkflow } from '../../../workflows/order/workflow.js';
import type { WorkflowHandle } from '@temporalio/client';
import { startTimeSkippingServer } from '../../helpers/temporal.js';
import { type Harness, newOrder, refusal, useOrderHarness, startOrder, recordHistory, payment as pay } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startTimeSkippingServer, (e, harness) => {
  env = e;
  h = harness;
});


/** An order shipped in full and invoiced for 1,800.00. */
async function invoicedOrder(): Promise<{ input: OrderInput; handle: WorkflowHandle<typeof orderWorkflow> }> {
  const input = await newOrder(h);
  const handle = await startOrder(h, input);
  await handle.executeUpdate(recordShipmentUpdate, {
    args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] }],
  });
  return { input, handle };
}

const countPayments = async (orderId: string) =>
  (await h.database.rows<{ n: number }>(sql`select count(*)::int as n from payments where order_id = ${orderId}`))[0]?.n;

describe('payments', () => {
  it('answers a repeated payment reference with the first outcome and changes nothing', async () => {
    const { input, handle } = await invoicedOrder();
    const first = await handle.executeUpdate(recordPaymentUpdate, { args: [pay('ref-1', 50_000)] });
    const again = await handle.executeUpdate(recordPaymentUpdate, { args: [pay('ref-1', 50_000)] });
    expect(first).toMatchObject({ duplicate: false, balanceMinor: 130_000 });
    expect(again).toMatchObject({ duplicate: true, balanceMinor: 130_000 });
    expect((await handle.query(getOrderQuery)).payments).toHaveLength(1);
    expect(await countPayments(input.orderId)).toBe(1);
    await handle.terminate('test done');
    await recordHistory(handle, 'payment-repeated');
  });

  it('refuses the same reference with other details, also while the first is still being applied', async () => {
    const { input, handle } = await invoicedOrder();
    const amounts = [1_000, 50_000];
    const outcomes = await Promise.allSettled(
      amounts.map((amount) => handle.executeUpdate(recordPaymentUpdate, { args: [pay('ref-x', amount)] })),
    );
    // Whichever arrived first is taken; the other is refused, naming the first.
    const taken = outcomes.findIndex((o) => o.status === 'fulfilled');
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(taken).toBeGreaterThanOrEqual(0);
    expect(refused).toBeDefined();
    expect((outcomes[taken] as PromiseFulfilledResult<{ duplicate: boolean; balanceMinor: number }>).value).toEqual(
      expect.objectContaining({ duplicate: false, balanceMinor: 180_000 - amounts[taken]! }),
    );
    expect(await refusal(Promise.reject(refused.reason))).toBe(
      `payment reference ref-x was already used for ${amounts[taken]} USD by bank_transfer`,
    );
    expect(await countPayments(input.orderId)).toBe(1);
    await handle.terminate('test done');
  });

  it('refuses a payment reference already recorded for another order, changing nothing', async () => {
    const first = await invoicedOrder();
    const reference = `shared-${first.input.orderId}`;
    await first.handle.executeUpdate(recordPaymentUpdate, { args: [pay(reference, 10_000)] });
    const { input, handle } = await invoicedOrder();
    const refused = handle.executeUpdate(recordPaymentUpdate, { args: [pay(reference, 10_000)] });
    // The update fails with the activity's reason somewhere down its cause chain.
    const chain = (err: unknown): string => (err instanceof Error ? `${err.message} | ${chain(err.cause)}` : '');
    await expect(refused).rejects.toSatisfy((err) =>
      chain(err).includes(`payment reference ${reference} was already recorded for order ${first.input.orderId}`),
    );
    const view = await handle.query(getOrderQuery);
    expect(view).toMatchObject({ balanceMinor: 180_000, payments: [] });
    expect(await countPayments(input.orderId)).toBe(0);
    expect((await trialBalance(h.database.db, input.orderId)).byAccount.cash ?? 0).toBe(0);
    await Promise.all([first.handle.terminate('test done'), handle.terminate('test done')]);
  });

  it('refuses a payment in another currency', async () => {
    const { input, handle } = await invoicedOrder();
    expect(await refusal(handle.executeUpdate(recordPaymentUpdate, { args: [pay('ref-eur', 180_000, 'EUR')] }))).toBe(
      'payment currency EUR does not match the invoice currency USD',
    );
    expect((await handle.query(getOrderQuery)).balanceMinor).toBe(180_000);
    expect(await countPayments(input.orderId)).toBe(0);
    await handle.terminate('test done');
    await recordHistory(handle, 'payment-in-another-currency-refused');
  });

  it('closes an overpaid invoice and keeps the excess as customer credit', async () => {
    const { input, handle } = await invoicedOrder();
    const result = await handle.executeUpdate(recordPaymentUpdate, { args: [pay('ref-big', 200_000)] });
    expect(result).toMatchObject({ duplicate: false, balanceMinor: 0, customerCreditMinor: 20_000 });
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
    const credits = await h.database.rows<{ amount_minor: number }>(
      sql`select amount_minor::int from customer_credits where customer_id = ${input.customerId}`,
    );
    expect(credits).toEqual([{ amount_minor: 20_000 }]);
    const ledger = await trialBalance(h.database.db, input.orderId);
    expect(ledger.byAccount).toMatchObject({ cash: 200_000, customer_credit: -20_000 });
    expect(ledger.byAccount.accounts_receivable ?? 0).toBe(0);
    await recordHistory(handle, 'overpayment');
  });

  it('answers the payment that settles the order once it is reconciled and closed, a partial one at once', async () => {
    const { input, handle } = await invoicedOrder();
    const partial = await handle.executeUpdate(recordPaymentUpdate, { args: [pay(`part-${input.orderId}`, 80_000)] });
    expect(partial.order.status).toBe('awaiting_payment');
    const settling = await handle.executeUpdate(recordPaymentUpdate, { args: [pay(`rest-${input.orderId}`, 100_000)] });
    expect(settling).toMatchObject({ duplicate: false, balanceMinor: 0 });
    expect(settling.order).toMatchObject({ status: 'closed', closedReason: 'paid and reconciled' });
    const row = await getOrderRow(h.database.db, input.orderId);
    expect(row).toMatchObject({ status: 'closed', amountDueMinor: 0 });
    expect(row?.closedAt).toBeInstanceOf(Date);
    expect(row?.finalView).toMatchObject({ status: 'closed' });
    expect(await handle.result()).toEqual({ status: 'closed', closedReason: 'paid and reconciled' });
  });

  it('refuses, even sent straight to the workflow, what the books could not store; the order goes on', async () => {
    const { input, handle } = await invoicedOrder();
    const refusals: Array<[unknown, string]> = [
      [{ ...pay('ref-0000', 1_000), receivedAt: '0000-01-01T00:00:00Z' }, 'receivedAt must be a UTC time in ISO-8601 ending in Z, in the years 2000 to 2099'],
      [{ ...pay('ref-offset', 1_000), receivedAt: '2026-12-01T10:00:00+02:00' }, 'receivedAt must be a UTC time in ISO-8601 ending in Z, in the years 2000 to 2099'],
      [{ ...pay('ref-feb', 1_000), receivedAt: '2026-02-30T10:00:00Z' }, 'receivedAt must be a UTC time in ISO-8601 ending in Z, in the years 2000 to 2099'],
      [pay('ref\u0000nul', 1_000), 'paymentReference must be one line with no control characters and no unpaired surrogates'],
    ];
    for (const [payment, reason] of refusals) {
      expect(await refusal(handle.executeUpdate(recordPaymentUpdate, { args: [payment as never] }))).toBe(reason);
    }
    const dispute = { disputeId: 'd-1', amountMinor: 1_000, reason: 'damaged', openedBy: 'finance' };
    for (const [bad, reason] of [
      [{ reason: 'dam\u0000aged' }, /reason must be text with no control characters/],
      [{ reason: 'lone \ud800' }, /reason must be text with no control characters/],
      [{ disputeId: 'd\u0007' }, /disputeId must be one line/],
      [{ resumeOn: '0000-01-01' }, /resumeOn must be a date/],
      [{ resumeOn: '2026-02-29' }, /resumeOn must be a date/],
    ] as const) {
      expect(await refusal(handle.executeUpdate(openDisputeUpdate, { args: [{ ...dispute, ...bad }] }))).toMatch(reason);
    }
    expect(await countPayments(input.orderId)).toBe(0);
    expect((await handle.query(getOrderQuery)).disputes).toEqual([]);
    // Nothing waits behind a refused request: the next payment settles the order.
    const paid = await handle.executeUpdate(recordPaymentUpdate, { args: [pay('ref-ok', 180_000)] });
    expect(paid.order.status).toBe('closed');
  });

  it('refuses a payment before there is an invoice', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    expect(await refusal(handle.executeUpdate(recordPaymentUpdate, { args: [pay('early', 100)] }))).toBe(
      'the order has no invoice to pay yet',
    );
    await handle.terminate('test done');
    await recordHistory(handle, 'payment-before-invoice-refused');
  });
});
