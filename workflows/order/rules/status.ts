// Where an order stands: which statuses end it, and what an invoiced order is waiting for.
import type { OrderStatus } from '../contract.js';
import { addDays, startOfDayIso } from './invoice.js';

/** Statuses an order never leaves: its workflow has ended and its row is closed. */
export const CLOSED_STATUSES: readonly OrderStatus[] = Object.freeze(['closed', 'cancelled', 'credit_rejected']);

export function isClosedStatus(status: OrderStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}

export interface CollectionsFacts {
  /** The hand-off to collections went out. */
  inCollections: boolean;
  openDisputes: number;
  /** Calendar date (YYYY-MM-DD, UTC) the invoice is due. */
  dueDate: string;
  /** Milliseconds since the epoch (the workflow's clock). */
  now: number;
}

/**
 * An invoiced, unpaid order: with collections once handed off, else disputed while any
 * dispute is open, else overdue from the day after its due date, else awaiting payment.
 */
export function collectionsStatus(facts: CollectionsFacts): OrderStatus {
  if (facts.inCollections) return 'in_collections';
  if (facts.openDisputes > 0) return 'disputed';
  if (facts.now >= Date.parse(startOfDayIso(addDays(facts.dueDate, 1)))) return 'overdue';
  return 'awaiting_payment';
}
