import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../../../workflows/order/contract.js';
import { CLOSED_STATUSES, type CollectionsFacts, collectionsStatus, isClosedStatus } from '../../../../workflows/order/rules/status.js';

describe('isClosedStatus', () => {
  it.each<OrderStatus>(['closed', 'cancelled', 'credit_rejected'])('%s ends the order', (status) => {
    expect(isClosedStatus(status)).toBe(true);
  });

  it.each<OrderStatus>([
    'credit_review',
    'credit_hold',
    'awaiting_shipment',
    'partially_shipped',
    'awaiting_payment',
    'overdue',
    'disputed',
    'in_collections',
    'reconciling',
    'reconciliation_failed',
  ])('%s does not', (status) => {
    expect(isClosedStatus(status)).toBe(false);
  });

  it('is the one list, and nobody can add to it', () => {
    expect([...CLOSED_STATUSES].sort()).toEqual(['cancelled', 'closed', 'credit_rejected']);
    expect(Object.isFrozen(CLOSED_STATUSES)).toBe(true);
  });
});

describe('collectionsStatus', () => {
  const at = (iso: string) => Date.parse(iso);
  const facts = (over: Partial<CollectionsFacts> = {}): CollectionsFacts => ({
    inCollections: false,
    openDisputes: 0,
    dueDate: '2026-03-31',
    now: at('2026-03-01T12:00:00Z'),
    ...over,
  });

  it('is awaiting payment before the due date', () => {
    expect(collectionsStatus(facts())).toBe('awaiting_payment');
  });

  it('is not overdue on the due date itself, up to its last millisecond', () => {
    expect(collectionsStatus(facts({ now: at('2026-03-31T00:00:00Z') }))).toBe('awaiting_payment');
    expect(collectionsStatus(facts({ now: at('2026-03-31T23:59:59.999Z') }))).toBe('awaiting_payment');
  });

  it('is overdue from 00:00 UTC the day after the due date', () => {
    expect(collectionsStatus(facts({ now: at('2026-04-01T00:00:00Z') }))).toBe('overdue');
    expect(collectionsStatus(facts({ now: at('2026-05-15T08:00:00Z') }))).toBe('overdue');
  });

  it('counts calendar days across a year end and a leap day', () => {
    expect(collectionsStatus(facts({ dueDate: '2026-12-31', now: at('2026-12-31T23:59:59Z') }))).toBe('awaiting_payment');
    expect(collectionsStatus(facts({ dueDate: '2026-12-31', now: at('2027-01-01T00:00:00Z') }))).toBe('overdue');
    expect(collectionsStatus(facts({ dueDate: '2028-02-28', now: at('2028-02-29T00:00:00Z') }))).toBe('overdue');
    expect(collectionsStatus(facts({ dueDate: '2028-02-29', now: at('2028-02-29T18:00:00Z') }))).toBe('awaiting_payment');
  });

  it('is disputed while a dispute is open, overdue or not', () => {
    expect(collectionsStatus(facts({ openDisputes: 1 }))).toBe('disputed');
    expect(collectionsStatus(facts({ openDisputes: 2, now: at('2026-06-01T00:00:00Z') }))).toBe('disputed');
  });

  it('is in collections once handed off, whatever else holds', () => {
    expect(collectionsStatus(facts({ inCollections: true }))).toBe('in_collections');
    expect(collectionsStatus(facts({ inCollections: true, openDisputes: 1, now: at('2026-06-01T00:00:00Z') }))).toBe(
      'in_collections',
    );
  });
});
