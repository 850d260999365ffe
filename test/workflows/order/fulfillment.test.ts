import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getCreditProfile, getOrderRow } from '../../../db/queries/orders.js';
import { type ShipmentInput, cancelOrderUpdate, getOrderQuery, recordShipmentUpdate } from '../../../workflows/order/contract.js';
import { startTimeSkippingServer } from '../../helpers/temporal.js';
import { DAY, type Harness, eventually, newOrder, refusal, useOrderHarness, startOrder, recordHistory } from './harness.js';

let env: TestWorkflowEnvironment;
let h: Harness;
useOrderHarness(startTimeSkippingServer, (e, harness) => {
  env = e;
  h = harness;
});

const today = () => new Date().toISOString().slice(0, 10);
const countShipments = async (orderId: string) =>
  (await h.database.rows<{ n: number }>(sql`select count(*)::int as n from shipments where order_id = ${orderId}`))[0]?.n;

describe('fulfillment', () => {
  it('refuses over-shipment, unknown lines and a repeated shipment ID, changing nothing', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    await handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 3 }] }] });

    const refusals: Array<[unknown, RegExp]> = [
      [{ shipmentId: 'sh-2', lines: [{ lineId: 'l1', quantity: 8 }] }, /line l1: 8 more would make 11 shipped of 10 ordered/],
      [{ shipmentId: 'sh-3', lines: [{ lineId: 'nope', quantity: 1 }] }, /line nope is not on this order/],
      [{ shipmentId: 'sh-1', lines: [{ lineId: 'l2', quantity: 1 }] }, /shipment sh-1 was already recorded/],
      [{ shipmentId: 'sh-4', lines: [{ lineId: 'l2', quantity: 0 }] }, /positive whole number/],
      // What the books could not store, sent straight to the workflow.
      [{ shipmentId: 'sh-5', lines: [{ lineId: 'l2', quantity: 1 }], shippedAt: '0000-01-01T00:00:00Z' }, /shippedAt must be a UTC time/],
      [{ shipmentId: 'sh\u0000', lines: [{ lineId: 'l2', quantity: 1 }] }, /shipmentId must be one line/],
    ];
    for (const [shipment, reason] of refusals) {
      expect(await refusal(handle.executeUpdate(recordShipmentUpdate, { args: [shipment as never] }))).toMatch(reason);
    }
    const view = await handle.query(getOrderQuery);
    expect(view.shipments.map((s) => s.shipmentId)).toEqual(['sh-1']);
    expect(view.shippedQuantities).toEqual({ l1: 3, l2: 0 });
    await handle.terminate('test done');
    await recordHistory(handle, 'shipments-refused');
  });

  it('answers the same shipment sent twice at once with one shipment and one invoice', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    const all = { shipmentId: 'sh-all', lines: [{ lineId: 'l1', quantity: 10 }, { lineId: 'l2', quantity: 2 }] };
    // The second arrives while the first is being recorded, or after: either way it waits for the same answer.
    const answers = await Promise.all([1, 2].map(() => handle.executeUpdate(recordShipmentUpdate, { args: [all] })));
    for (const answer of answers) {
      expect(answer.status).toBe('awaiting_payment');
      expect(answer.shipments.map((s) => s.shipmentId)).toEqual(['sh-all']);
    }
    expect(answers[1]!.invoice?.invoiceNumber).toBe(answers[0]!.invoice?.invoiceNumber);
    expect(await countShipments(input.orderId)).toBe(1);
    await handle.terminate('test done');
  });

  it("shows operators where it waits in Temporal UI's Call Stack, with three frames per promise", async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    // What the Call Stack tab shows: the chain from the wait (in order.ts) up through the stage to the workflow.
    const stack = await handle.query<string>('__stack_trace');
    expect(stack).toMatch(/workflows\/order\/order\.ts:\d+/);
    expect(stack).toMatch(/workflows\/order\/stages\/fulfillment\.ts:\d+/);
    expect(stack).toMatch(/workflows\/order\/workflow\.ts:\d+/);
    await handle.terminate('test done');
  });

  it('cancels before any shipment for free and releases the credit exposure', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    // A reason the books could not store is refused, even sent straight to the workflow.
    expect(await refusal(handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed\u0000mind', requestedBy: 'shop' }] }))).toMatch(
      /reason must be text with no control characters/,
    );
    const cancelled = await handle.executeUpdate(cancelOrderUpdate, {
      args: [{ reason: 'customer changed their mind', requestedBy: 'shop' }],
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', invoice: null });
    expect(await handle.result()).toEqual({ status: 'cancelled', closedReason: 'cancelled by shop: customer changed their mind' });
    expect((await getOrderRow(h.database.db, input.orderId))?.status).toBe('cancelled');
    const profile = await getCreditProfile(h.database.db, input.customerId, 'another-order', today());
    expect(profile?.openOrdersMinor).toBe(0);
    await recordHistory(handle, 'cancelled-before-shipment');
  });

  it('cancels the remainder after a partial shipment and invoices what shipped', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    await handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 4 }] }] });
    const view = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'out of stock', requestedBy: 'warehouse' }] });
    expect(view.status).toBe('awaiting_payment');
    // 4 × 100.00 = 400.00 + 20% = 480.00
    expect(view.invoice).toMatchObject({ subtotalMinor: 40_000, taxMinor: 8_000, totalMinor: 48_000 });
    expect(view.invoice!.lines).toEqual([
      { lineId: 'l1', description: 'Widget', quantity: 4, unitPriceMinor: 10_000, amountMinor: 40_000 },
    ]);
    expect(view.timeline.map((t) => t.event)).toContain('remainder cancelled');
    expect(await refusal(handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'again', requestedBy: 'shop' }] }))).toMatch(
      /cannot be cancelled; after invoicing use a credit note/,
    );
    // A caller who lost the answer and repeats the shipment gets the order as it stands, whatever its stage.
    const repeated = await handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 4 }] }] });
    expect(repeated).toMatchObject({ status: 'awaiting_payment', shipments: [expect.objectContaining({ shipmentId: 'sh-1' })] });
    const refused: Array<[ShipmentInput, RegExp]> = [
      [{ shipmentId: 'sh-1', lines: [{ lineId: 'l1', quantity: 3 }] }, /shipment sh-1 was already recorded with other lines/],
      [{ shipmentId: 'sh-2', lines: [{ lineId: 'l1', quantity: 1 }] }, /awaiting_payment: it takes no shipments/],
    ];
    for (const [shipment, reason] of refused) {
      expect(await refusal(handle.executeUpdate(recordShipmentUpdate, { args: [shipment] }))).toMatch(reason);
    }
    expect(await countShipments(input.orderId)).toBe(1);
    await handle.terminate('test done');
    await recordHistory(handle, 'remainder-cancelled-after-partial-shipment');
  });

  it('cancels the remainder at the fulfillment deadline after a partial shipment and invoices what shipped', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    await handle.executeUpdate(recordShipmentUpdate, { args: [{ shipmentId: 'sh-1', lines: [{ lineId: 'l2', quantity: 1 }] }] });
    await env.sleep(14 * DAY + 60_000);
    const view = await eventually(async () => {
      const current = await handle.query(getOrderQuery);
      expect(current.status).toBe('awaiting_payment');
      return current;
    });
    // 1 × 250.00 + 20% = 300.00
    expect(view.invoice).toMatchObject({ subtotalMinor: 25_000, taxMinor: 5_000, totalMinor: 30_000 });
    expect(view.timeline).toContainEqual(expect.objectContaining({ event: 'remainder cancelled', detail: 'not fulfilled by the fulfillment deadline' }));
    await eventually(async () => expect((await getOrderRow(h.database.db, input.orderId))?.status).toBe('awaiting_payment'));
    await handle.terminate('test done');
    await recordHistory(handle, 'fulfillment-deadline-after-partial-shipment');
  });

  it('cancels an order nothing shipped for by the fulfillment deadline', async () => {
    const input = await newOrder(h);
    const handle = await startOrder(h, input);
    await env.sleep(14 * DAY + 60_000);
    expect(await handle.result()).toEqual({ status: 'cancelled', closedReason: 'not fulfilled by the fulfillment deadline' });
    expect((await getOrderRow(h.database.db, input.orderId))?.status).toBe('cancelled');
    await recordHistory(handle, 'fulfillment-deadline-nothing-shipped');
  });
});
