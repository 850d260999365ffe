import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.js';
import {
  getOrderRow,
  type NewOrder,
  recordOrder,
  recordShipment,
  writeOrderRow,
} from '../../db/queries/orders.js';
import { orderLines, orderStatus, shipmentLines, shipments } from '../../db/schema/orders.js';
import { openTestDatabase, uniqueId } from '../helpers/database.js';
import { seedCustomer, seedOrder } from './fixtures.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

function newOrder(customerId: string, over: Partial<NewOrder> = {}): NewOrder {
  const orderId = over.orderId ?? uniqueId('order');
  return {
    orderId,
    workflowId: `order:${orderId}`,
    customerId,
    currency: 'EUR',
    taxRateBps: 2000,
    paymentTermsDays: 30,
    subtotalMinor: 3_500,
    taxMinor: 700,
    totalMinor: 4_200,
    status: 'credit_review',
    lines: [
      { lineId: 'b', sku: 'SKU-B', description: 'Bolt', quantity: 10, unitPriceMinor: 250 },
      { lineId: 'a', sku: 'SKU-A', description: 'Anchor', quantity: 1, unitPriceMinor: 1_000 },
    ],
    ...over,
  };
}

const lineCount = (orderId: string) => handle.db.$count(orderLines, eq(orderLines.orderId, orderId));

describe('recordOrder', () => {
  it('records the order and its lines once; a second call changes nothing', async () => {
    const customerId = await seedCustomer(handle.db);
    const order = newOrder(customerId);
    expect(await recordOrder(handle.db, order)).toEqual({ created: true });

    const again = { ...order, status: 'closed' as const, lines: [order.lines[0]!] };
    expect(await recordOrder(handle.db, again)).toEqual({ created: false });
    expect(await lineCount(order.orderId)).toBe(2);

    const row = await getOrderRow(handle.db, order.orderId);
    expect(row).toMatchObject({
      id: order.orderId,
      workflowId: `order:${order.orderId}`,
      customerId,
      currency: 'EUR',
      status: 'credit_review',
      totalMinor: 4_200,
      amountDueMinor: 0,
      dunningLevel: 0,
      invoiceNumber: null,
      dueDate: null,
      closedAt: null,
    });
    // Lines come back in the order the caller sent them, not sorted by ID.
    expect(row?.lines.map((l) => [l.lineId, l.lineNo, l.quantity, l.unitPriceMinor])).toEqual([
      ['b', 1, 10, 250],
      ['a', 2, 1, 1_000],
    ]);
  });

  it('records an order exactly once when the same call races itself', async () => {
    const customerId = await seedCustomer(handle.db);
    const order = newOrder(customerId);
    const results = await Promise.all(Array.from({ length: 6 }, () => recordOrder(handle.db, order)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await lineCount(order.orderId)).toBe(2);
  });

  it('writes nothing when a line is refused: order and lines are one transaction', async () => {
    const customerId = await seedCustomer(handle.db);
    const order = newOrder(customerId, {
      lines: [{ lineId: 'x', sku: 'S', description: 'd', quantity: 0, unitPriceMinor: 100 }],
    });
    await expect(recordOrder(handle.db, order)).rejects.toThrow();
    expect(await getOrderRow(handle.db, order.orderId)).toBeUndefined();
  });

  it('refuses bad money, quantities, currencies and unknown customers in the database', async () => {
    const customerId = await seedCustomer(handle.db);
    const line = { lineId: 'x', sku: 'S', description: 'd', quantity: 1, unitPriceMinor: 100 };
    const bad: Array<Partial<NewOrder>> = [
      { subtotalMinor: -1, taxMinor: 0, totalMinor: -1 },
      { totalMinor: 4_201 }, // not subtotal + tax
      { currency: 'eur' },
      { taxRateBps: -5 },
      { customerId: uniqueId('nobody') },
      { lines: [{ ...line, unitPriceMinor: -1 }] },
      { lines: [{ ...line, quantity: -2 }] },
    ];
    for (const over of bad) {
      const order = newOrder(customerId, over);
      await expect(recordOrder(handle.db, order), JSON.stringify(over)).rejects.toThrow();
      expect(await getOrderRow(handle.db, order.orderId)).toBeUndefined();
    }
  });

  it('has an order_status enum with exactly the contract statuses', () => {
    expect(orderStatus.enumValues).toEqual([
      'credit_review',
      'credit_hold',
      'credit_rejected',
      'awaiting_shipment',
      'partially_shipped',
      'cancelled',
      'awaiting_payment',
      'overdue',
      'disputed',
      'in_collections',
      'reconciling',
      'reconciliation_failed',
      'needs_attention',
      'closed',
    ]);
  });
});

describe('writeOrderRow', () => {
  it('changes only the fields given and stamps updated_at', async () => {
    const customerId = await seedCustomer(handle.db);
    const order = newOrder(customerId);
    await recordOrder(handle.db, order);
    const before = await getOrderRow(handle.db, order.orderId);

    expect(
      await writeOrderRow(handle.db, order.orderId, 1, {
        status: 'awaiting_payment',
        invoiceNumber: 'INV-000042',
        dueDate: '2025-02-28',
        amountDueMinor: 4_200,
      }),
    ).toBe(true);
    const mid = await getOrderRow(handle.db, order.orderId);
    expect(mid).toMatchObject({
      status: 'awaiting_payment',
      invoiceNumber: 'INV-000042',
      dueDate: '2025-02-28',
      amountDueMinor: 4_200,
      dunningLevel: 0,
      closedAt: null,
      rowRevision: 1,
    });
    expect(mid!.updatedAt.getTime()).toBeGreaterThanOrEqual(before!.updatedAt.getTime());

    // null clears a field; undefined leaves it alone.
    await writeOrderRow(handle.db, order.orderId, 2, { invoiceNumber: null, dueDate: null });
    expect(await getOrderRow(handle.db, order.orderId)).toMatchObject({ invoiceNumber: null, dueDate: null, status: 'awaiting_payment' });
  });

  it('never goes backwards: an older or repeated write changes nothing', async () => {
    const customerId = await seedCustomer(handle.db);
    const { orderId } = await seedOrder(handle.db, customerId);
    expect(await writeOrderRow(handle.db, orderId, 5, { status: 'overdue', dunningLevel: 2, amountDueMinor: 900 })).toBe(true);
    // A late attempt of write 4, landing after write 5.
    expect(await writeOrderRow(handle.db, orderId, 4, { status: 'awaiting_payment', dunningLevel: 1, amountDueMinor: 1_000 })).toBe(false);
    expect(await writeOrderRow(handle.db, orderId, 5, { status: 'awaiting_payment' })).toBe(false);
    expect(await getOrderRow(handle.db, orderId)).toMatchObject({ status: 'overdue', dunningLevel: 2, amountDueMinor: 900, rowRevision: 5 });
  });

  it('never reopens a closed row', async () => {
    const customerId = await seedCustomer(handle.db);
    const { orderId } = await seedOrder(handle.db, customerId);
    const closedAt = new Date('2025-03-01T12:00:00Z');
    expect(await writeOrderRow(handle.db, orderId, 1, { status: 'closed', amountDueMinor: 0, closedAt })).toBe(true);
    expect(await writeOrderRow(handle.db, orderId, 2, { status: 'awaiting_payment', amountDueMinor: 1_000, closedAt: null })).toBe(false);
    expect(await getOrderRow(handle.db, orderId)).toMatchObject({ status: 'closed', amountDueMinor: 0, closedAt });
  });

  it('refuses a negative amount due', async () => {
    const customerId = await seedCustomer(handle.db);
    const { orderId } = await seedOrder(handle.db, customerId);
    await expect(writeOrderRow(handle.db, orderId, 1, { amountDueMinor: -1 })).rejects.toThrow();
  });
});

describe('recordShipment', () => {
  it('records a shipment and its lines once per shipment ID', async () => {
    const customerId = await seedCustomer(handle.db);
    const order = newOrder(customerId);
    await recordOrder(handle.db, order);
    const shipment = {
      orderId: order.orderId,
      shipmentId: 'SHP-1',
      shippedAt: new Date('2025-01-02T08:00:00Z'),
      lines: [
        { lineId: 'a', quantity: 1 },
        { lineId: 'b', quantity: 4 },
      ],
    };
    expect(await recordShipment(handle.db, shipment)).toEqual({ created: true });
    expect(await recordShipment(handle.db, { ...shipment, lines: [{ lineId: 'b', quantity: 6 }] })).toEqual({
      created: false,
    });
    // A second, partial shipment of the same order under its own ID.
    expect(
      await recordShipment(handle.db, { ...shipment, shipmentId: 'SHP-2', lines: [{ lineId: 'b', quantity: 6 }] }),
    ).toEqual({ created: true });

    const rows = await handle.db
      .select()
      .from(shipmentLines)
      .where(eq(shipmentLines.orderId, order.orderId))
      .orderBy(shipmentLines.shipmentId, shipmentLines.lineId);
    expect(rows.map((r) => [r.shipmentId, r.lineId, r.quantity])).toEqual([
      ['SHP-1', 'a', 1],
      ['SHP-1', 'b', 4],
      ['SHP-2', 'b', 6],
    ]);
    expect(await handle.db.$count(shipments, eq(shipments.orderId, order.orderId))).toBe(2);
  });

  it('refuses lines the order does not have, and zero quantities, writing nothing', async () => {
    const customerId = await seedCustomer(handle.db);
    const { orderId } = await seedOrder(handle.db, customerId);
    const shippedAt = new Date('2025-01-02T08:00:00Z');
    await expect(
      recordShipment(handle.db, { orderId, shipmentId: 'S1', shippedAt, lines: [{ lineId: 'nope', quantity: 1 }] }),
    ).rejects.toThrow();
    await expect(
      recordShipment(handle.db, { orderId, shipmentId: 'S2', shippedAt, lines: [{ lineId: 'l1', quantity: 0 }] }),
    ).rejects.toThrow();
    expect(await handle.db.$count(shipments, eq(shipments.orderId, orderId))).toBe(0);
  });
});

describe('getOrderRow', () => {
  it('answers undefined for an unknown order', async () => {
    expect(await getOrderRow(handle.db, uniqueId('order'))).toBeUndefined();
  });
});

describe('orders indexes', () => {
  it('has the lookup indexes operators and the credit check use', async () => {
    const rows = await handle.rows<{ indexname: string }>(
      sql`select indexname from pg_indexes where tablename = 'orders' order by indexname`,
    );
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['orders_customer_status_idx', 'orders_status_idx']),
    );
  });
});

