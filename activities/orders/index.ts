import type { Database } from '../../db/client.js';
import { type NewOrder, recordShipment, writeOrderRow } from '../../db/queries/orders.js';
import type { InvoiceState, OrderInput, OrderStatus, OrderView, ShipmentInput } from '../../workflows/order/contract.js';
import { orderTotals } from '../../workflows/order/rules/invoice.js';
import { type IssueInvoiceInput, issueOrderInvoice } from '../billing/index.js';

export interface OrderSnapshot {
  status: OrderStatus;
  amountDueMinor: number;
  dunningLevel: number;
  invoiceNumber: string | null;
  dueDate: string | null;
  closed: boolean;
  /** Given once the order is closed: its final state, kept for reads after retention. */
  finalView?: OrderView;
}

/** The order's row as it is first recorded, before its credit check. */
export function newOrderRecord(input: OrderInput & { workflowId: string }): NewOrder {
  return {
    orderId: input.orderId,
    workflowId: input.workflowId,
    customerId: input.customerId,
    currency: input.currency,
    taxRateBps: input.taxRateBps,
    paymentTermsDays: input.paymentTermsDays,
    requestFingerprint: input.requestFingerprint ?? null,
    createdBy: input.submittedBy ?? null,
    ...orderTotals(input.lines, input.taxRateBps),
    status: 'credit_review',
    lines: input.lines,
  };
}

export type ShipmentRecord = { orderId: string } & Required<Omit<ShipmentInput, 'reportedBy'>> & { reportedBy?: string | null };

function shipmentRow(input: ShipmentRecord) {
  return {
    orderId: input.orderId,
    shipmentId: input.shipmentId,
    shippedAt: new Date(input.shippedAt),
    lines: input.lines,
    reportedBy: input.reportedBy ?? null,
  };
}

export function createOrderActivities(deps: { db: Database }) {
  return {
    async recordShipment(input: ShipmentRecord): Promise<{ created: boolean }> {
      return recordShipment(deps.db, shipmentRow(input));
    },

    /**
     * The shipment that completes the order and the order's invoice, as one step: one
     * activity for the last shipment instead of two. A retry records and issues nothing
     * twice (each write is idempotent on its own key).
     */
    async recordShipmentAndInvoice(input: { shipment: ShipmentRecord; invoice: IssueInvoiceInput }): Promise<InvoiceState> {
      await recordShipment(deps.db, shipmentRow(input.shipment));
      return issueOrderInvoice(deps.db, input.invoice);
    },

    /**
     * Keeps the read model behind GET /orders in step with the workflow: the one writer of the
     * order's row, each write numbered by the workflow so that none lands out of turn.
     */
    async syncOrder(input: { orderId: string; revision: number } & OrderSnapshot): Promise<void> {
      const { orderId, revision, closed, finalView, ...patch } = input;
      await writeOrderRow(deps.db, orderId, revision, {
        ...patch,
        ...(closed ? { closedAt: new Date() } : {}),
        ...(finalView ? { finalView } : {}),
      });
    },
  };
}
