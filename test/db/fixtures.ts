// Seed helpers for the db tests. Every row they create carries a fresh unique ID, so tests
// sharing the run's database never see each other's data.
import type { Db } from '../../db/client.js';
import { issueInvoice } from '../../db/queries/billing.js';
import { upsertCustomer } from '../../db/queries/customers.js';
import { recordOrder } from '../../db/queries/orders.js';
import type { OrderStatus } from '../../workflows/order/contract.js';
import { uniqueId } from '../helpers/database.js';

export async function seedCustomer(db: Db, over: { creditLimitMinor?: number; contactEmail?: string | null } = {}) {
  const id = uniqueId('cust');
  await upsertCustomer(db, {
    id,
    name: 'Acme GmbH',
    currency: 'EUR',
    creditLimitMinor: over.creditLimitMinor ?? 1_000_000,
    paymentTermsDays: 30,
    contactEmail: over.contactEmail === undefined ? 'ap@acme.example' : over.contactEmail,
  });
  return id;
}

/** An order of one line; `subtotalMinor` is its price, tax is 20% of it. */
export async function seedOrder(
  db: Db,
  customerId: string,
  over: { subtotalMinor?: number; status?: OrderStatus } = {},
) {
  const orderId = uniqueId('order');
  const subtotalMinor = over.subtotalMinor ?? 10_000;
  const taxMinor = subtotalMinor / 5;
  await recordOrder(db, {
    orderId,
    workflowId: `order:${orderId}`,
    customerId,
    currency: 'EUR',
    taxRateBps: 2000,
    paymentTermsDays: 30,
    subtotalMinor,
    taxMinor,
    totalMinor: subtotalMinor + taxMinor,
    status: over.status ?? 'awaiting_shipment',
    lines: [{ lineId: 'l1', sku: 'SKU-1', description: 'Widget', quantity: 1, unitPriceMinor: subtotalMinor }],
  });
  return { orderId, subtotalMinor, taxMinor, totalMinor: subtotalMinor + taxMinor };
}

/** A fresh series name, so the numbers a test sees start at 1 whatever else runs. */
export function uniqueSeries(): string {
  return uniqueId('S').toUpperCase();
}

/** An order and its invoice; the invoice total is `subtotalMinor` × 1.2. */
export async function seedInvoice(
  db: Db,
  customerId: string,
  over: { subtotalMinor?: number; dueDate?: string; series?: string; status?: OrderStatus } = {},
) {
  const order = await seedOrder(db, customerId, { subtotalMinor: over.subtotalMinor, status: over.status ?? 'awaiting_payment' });
  const issued = await issueInvoice(db, {
    orderId: order.orderId,
    customerId,
    currency: 'EUR',
    series: over.series ?? uniqueSeries(),
    issuedAt: new Date('2025-01-01T10:00:00Z'),
    dueDate: over.dueDate ?? '2025-01-31',
    lines: [
      {
        lineId: 'l1',
        description: 'Widget',
        quantity: 1,
        unitPriceMinor: order.subtotalMinor,
        amountMinor: order.subtotalMinor,
      },
    ],
    subtotalMinor: order.subtotalMinor,
    taxMinor: order.taxMinor,
    totalMinor: order.totalMinor,
  });
  return { ...order, ...issued };
}
