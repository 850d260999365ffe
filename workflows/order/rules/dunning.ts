// Dunning rules: the schedule of reminders, levels and the collections hand-off, derived from
// the due date and the policy snapshot. The workflow sleeps until each step; these functions
// only say when and what, so the schedule is the same on every replay.
import type { DunningPolicy } from '../contract.js';
import { addDays, startOfDayIso } from './invoice.js';
import { assertMinor } from './money.js';

export type DunningStep = {
  key: string;
  kind: 'pre_due_reminder' | 'level' | 'collections';
  level: number;
  at: string;
  template: string;
  channel: 'email' | 'letter';
  feeMinor: number;
};

function assertDayCount(days: number, what: string): void {
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new RangeError(`${what} must be a non-negative integer of days, got ${String(days)}`);
  }
}

/**
 * Pre-due reminder (if any), each level at due date + offset, then collections after the last
 * level; every step at the start of its UTC day, sorted by time. Levels must ascend strictly
 * in both offset and number, or "the next level" would be ambiguous.
 */
export function dunningSchedule(dueDate: string, policy: DunningPolicy): DunningStep[] {
  startOfDayIso(dueDate); // validates the due date before anything else is built on it
  const steps: DunningStep[] = [];

  if (policy.preDueReminderDays !== null) {
    assertDayCount(policy.preDueReminderDays, 'pre-due reminder days');
    steps.push({
      key: 'pre-due',
      kind: 'pre_due_reminder',
      level: 0,
      at: startOfDayIso(addDays(dueDate, -policy.preDueReminderDays)),
      template: 'payment_reminder',
      channel: 'email',
      feeMinor: 0,
    });
  }

  // Without levels, collections counts from the due date and is level 1.
  let lastLevel = 0;
  let lastOffset = 0;
  policy.levels.forEach((level, index) => {
    if (!Number.isSafeInteger(level.level) || level.level < 1) {
      throw new RangeError(`dunning level number must be an integer ≥ 1, got ${String(level.level)}`);
    }
    assertDayCount(level.offsetDays, `offset of dunning level ${level.level}`);
    assertMinor(level.feeMinor, `fee of dunning level ${level.level}`);
    if (index > 0 && (level.level <= lastLevel || level.offsetDays <= lastOffset)) {
      throw new RangeError(
        `dunning levels must ascend strictly in number and offset: level ${level.level} (+${level.offsetDays} days) follows level ${lastLevel} (+${lastOffset} days)`,
      );
    }
    lastLevel = level.level;
    lastOffset = level.offsetDays;
    steps.push({
      key: `level-${level.level}`,
      kind: 'level',
      level: level.level,
      at: startOfDayIso(addDays(dueDate, level.offsetDays)),
      template: level.template,
      channel: level.channel,
      feeMinor: level.feeMinor,
    });
  });

  assertDayCount(policy.collectionsAfterDays, 'collections after days');
  steps.push({
    key: 'collections',
    kind: 'collections',
    level: lastLevel + 1,
    at: startOfDayIso(addDays(dueDate, lastOffset + policy.collectionsAfterDays)),
    template: 'collections_handoff',
    channel: 'letter',
    feeMinor: 0,
  });

  // Stable sort: a pre-due reminder of 0 days and a level at offset 0 keep that order.
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * The same step moved later by the total time dunning was paused by disputes. Applied to every
 * remaining step, it resumes dunning "from where it stood": the steps keep their spacing.
 */
export function shiftStep(step: DunningStep, pausedMs: number): DunningStep {
  if (!Number.isSafeInteger(pausedMs) || pausedMs < 0) {
    throw new RangeError(`paused time must be a non-negative integer of milliseconds, got ${String(pausedMs)}`);
  }
  const at = Date.parse(step.at);
  if (Number.isNaN(at)) throw new RangeError(`dunning step ${step.key} has an invalid time: ${step.at}`);
  return { ...step, at: new Date(at + pausedMs).toISOString() };
}

/**
 * The first step not yet done. Nothing is ever skipped: a partial payment neither resets nor
 * skips a level; the next notice is the next step and quotes the net open amount when sent.
 */
export function nextDueStep(schedule: DunningStep[], doneKeys: ReadonlySet<string>): DunningStep | undefined {
  return schedule.find((step) => !doneKeys.has(step.key));
}

export interface DunningPause {
  /** No notice goes out now. */
  paused: boolean;
  /** Milliseconds since the epoch when the pause ends by itself; null while it lasts until a resolution. */
  resumeAt: number | null;
}

/**
 * A dispute pauses dunning from when it opens until it is resolved or, if it names one, the
 * start of its resume date (UTC). With several open, the pause lasts while any of them holds
 * it: it ends by itself at the latest resume date, and only if every open dispute names one.
 */
export function dunningPause(openDisputes: ReadonlyArray<{ resumeOn: string | null }>, now: number): DunningPause {
  const resumeTimes = openDisputes.map((d) => (d.resumeOn ? Date.parse(startOfDayIso(d.resumeOn)) : Number.POSITIVE_INFINITY));
  const paused = resumeTimes.some((at) => now < at);
  if (!paused) return { paused, resumeAt: null };
  const resumeAt = Math.max(...resumeTimes);
  return { paused, resumeAt: Number.isFinite(resumeAt) ? resumeAt : null };
}

/** Plain words for operators (Temporal UI, timeline). */
export function describeStep(step: DunningStep): string {
  switch (step.kind) {
    case 'pre_due_reminder':
      return 'friendly reminder';
    case 'level':
      return `dunning level ${step.level} (${step.template})`;
    case 'collections':
      return 'hand-off to collections';
  }
}

const DEFAULT_LEVELS: DunningPolicy['levels'] = [
  { level: 1, offsetDays: 1, template: 'friendly_reminder', channel: 'email', feeMinor: 0 },
  { level: 2, offsetDays: 15, template: 'second_notice', channel: 'email', feeMinor: 1500 },
  { level: 3, offsetDays: 30, template: 'final_notice', channel: 'letter', feeMinor: 3000 },
];
// Frozen: the default is shared by every order in the process, so nobody may edit it in place.
DEFAULT_LEVELS.forEach((level) => Object.freeze(level));
Object.freeze(DEFAULT_LEVELS);

export const DEFAULT_DUNNING_POLICY: DunningPolicy = Object.freeze({
  preDueReminderDays: 3,
  levels: DEFAULT_LEVELS,
  collectionsAfterDays: 15,
});
