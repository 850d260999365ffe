// The policies an order can start under. An order takes a snapshot of its policy at start,
// so editing these changes new orders only.
import type { DunningLevelPolicy, OrderPolicy } from '../contract.js';
import { DEFAULT_DUNNING_POLICY } from './dunning.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What a new order gets unless the caller names another profile. */
export const STANDARD_ORDER_POLICY: OrderPolicy = Object.freeze({
  credit: Object.freeze({
    maxOverdueForAutoApprovalMinor: 0,
    rejectAboveLimitBps: 15_000,
    reviewSlaMs: 4 * HOUR,
    decisionDeadlineMs: 2 * DAY,
  }),
  fulfillmentDeadlineMs: 14 * DAY,
  dunning: DEFAULT_DUNNING_POLICY,
  invoiceSeries: 'INV',
});

const DEMO_LEVELS: DunningLevelPolicy[] = [
  { level: 1, offsetDays: 0, template: 'friendly_reminder', channel: 'email', feeMinor: 0 },
  { level: 2, offsetDays: 7, template: 'second_notice', channel: 'email', feeMinor: 1_000 },
];
DEMO_LEVELS.forEach((level) => Object.freeze(level));
Object.freeze(DEMO_LEVELS);

/**
 * For demonstrations only (the API offers it when started with demo policies on): dunning
 * starts on the due date itself, so an order due today reaches level 1 within seconds, and
 * credit holds escalate after minutes instead of hours. Its invoices have their own series,
 * so demo orders never take numbers from the real one.
 */
export const DEMO_ORDER_POLICY: OrderPolicy = Object.freeze({
  credit: Object.freeze({
    maxOverdueForAutoApprovalMinor: 0,
    rejectAboveLimitBps: 15_000,
    reviewSlaMs: 5 * MINUTE,
    decisionDeadlineMs: 60 * MINUTE,
  }),
  fulfillmentDeadlineMs: 60 * MINUTE,
  dunning: Object.freeze({
    preDueReminderDays: null,
    levels: DEMO_LEVELS,
    collectionsAfterDays: 14,
  }),
  invoiceSeries: 'DEMO',
});

export const ORDER_POLICIES = { standard: STANDARD_ORDER_POLICY, demo: DEMO_ORDER_POLICY } as const;
export type OrderPolicyName = keyof typeof ORDER_POLICIES;
