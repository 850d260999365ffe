// The order area's contract: what api/ and workflows/ share. It imports nothing from db/
// or activities/, so it is safe in the workflow bundle and in the API alike.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ORDER_TASK_QUEUE = 'o2c-orders';

/** Workflow ID of an order: the caller's order ID is the idempotency key. */
export function orderWorkflowId(orderId: string): string {
  return `order:${orderId}`;
}

/** Typed search attributes operators filter on in Temporal UI (`OrderStatus = "overdue"`). */
export const OrderSearchAttributes = {
  status: defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD),
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  /** Minor units of `currency`; Temporal has no money type. */
  amountDue: defineSearchAttributeKey('AmountDue', SearchAttributeType.INT),
  currency: defineSearchAttributeKey('Currency', SearchAttributeType.KEYWORD),
  dunningLevel: defineSearchAttributeKey('DunningLevel', SearchAttributeType.INT),
  invoiceNumber: defineSearchAttributeKey('InvoiceNumber', SearchAttributeType.KEYWORD),
  dueDate: defineSearchAttributeKey('DueDate', SearchAttributeType.DATETIME),
} as const;

/** Every custom attribute the namespace must have registered before an order starts. */
export const ORDER_SEARCH_ATTRIBUTE_KEYS = Object.values(OrderSearchAttributes);
