import { describe, expect, it } from 'vitest';
import type { DunningPolicy } from '../../../../workflows/order/contract.js';
import {
  DEFAULT_DUNNING_POLICY,
  type DunningStep,
  describeStep,
  dunningPause,
  dunningSchedule,
  nextDueStep,
  shiftStep,
} from '../../../../workflows/order/rules/dunning.js';

const DAY = 86_400_000;

describe('DEFAULT_DUNNING_POLICY', () => {
  it('has the agreed reminder, levels and collections delay', () => {
    expect(DEFAULT_DUNNING_POLICY).toEqual({
      preDueReminderDays: 3,
      levels: [
        { level: 1, offsetDays: 1, template: 'friendly_reminder', channel: 'email', feeMinor: 0 },
        { level: 2, offsetDays: 15, template: 'second_notice', channel: 'email', feeMinor: 1500 },
        { level: 3, offsetDays: 30, template: 'final_notice', channel: 'letter', feeMinor: 3000 },
      ],
      collectionsAfterDays: 15,
    });
  });

  it('cannot be edited in place', () => {
    expect(Object.isFrozen(DEFAULT_DUNNING_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_DUNNING_POLICY.levels)).toBe(true);
    expect(() => {
      (DEFAULT_DUNNING_POLICY.levels[0] as { feeMinor: number }).feeMinor = 99;
    }).toThrow(TypeError);
  });
});

describe('dunningSchedule', () => {
  it('builds the default schedule from the due date', () => {
    expect(dunningSchedule('2026-12-23', DEFAULT_DUNNING_POLICY)).toEqual<DunningStep[]>([
      { key: 'pre-due', kind: 'pre_due_reminder', level: 0, at: '2026-12-20T00:00:00.000Z', template: 'payment_reminder', channel: 'email', feeMinor: 0 },
      { key: 'level-1', kind: 'level', level: 1, at: '2026-12-24T00:00:00.000Z', template: 'friendly_reminder', channel: 'email', feeMinor: 0 },
      { key: 'level-2', kind: 'level', level: 2, at: '2027-01-07T00:00:00.000Z', template: 'second_notice', channel: 'email', feeMinor: 1500 },
      { key: 'level-3', kind: 'level', level: 3, at: '2027-01-22T00:00:00.000Z', template: 'final_notice', channel: 'letter', feeMinor: 3000 },
      { key: 'collections', kind: 'collections', level: 4, at: '2027-02-06T00:00:00.000Z', template: 'collections_handoff', channel: 'letter', feeMinor: 0 },
    ]);
  });

  it('is sorted by time and counts calendar days across a leap day', () => {
    const steps = dunningSchedule('2028-02-27', DEFAULT_DUNNING_POLICY);
    expect(steps.map((s) => s.at.slice(0, 10))).toEqual(['2028-02-24', '2028-02-28', '2028-03-13', '2028-03-28', '2028-04-12']);
    const times = steps.map((s) => Date.parse(s.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('places the pre-due reminder across a month boundary', () => {
    expect(dunningSchedule('2027-03-01', DEFAULT_DUNNING_POLICY)[0]?.at).toBe('2027-02-26T00:00:00.000Z');
  });

  it('leaves out the pre-due reminder when the policy has none', () => {
    const steps = dunningSchedule('2026-12-23', { ...DEFAULT_DUNNING_POLICY, preDueReminderDays: null });
    expect(steps.map((s) => s.key)).toEqual(['level-1', 'level-2', 'level-3', 'collections']);
  });

  it('keeps a same-day pre-due reminder before a level at offset 0', () => {
    // pre-due of 0 days and a level at offset 0 fall on the same instant: the reminder stays first
    const policy: DunningPolicy = {
      preDueReminderDays: 0,
      levels: [{ level: 1, offsetDays: 0, template: 't1', channel: 'email', feeMinor: 0 }],
      collectionsAfterDays: 10,
    };
    const steps = dunningSchedule('2026-12-23', policy);
    expect(steps.map((s) => s.key)).toEqual(['pre-due', 'level-1', 'collections']);
    expect(steps[2]).toMatchObject({ level: 2, at: '2027-01-02T00:00:00.000Z' });
  });

  it('sends a policy without levels to collections from the due date, as level 1', () => {
    const steps = dunningSchedule('2026-12-23', { preDueReminderDays: null, levels: [], collectionsAfterDays: 60 });
    expect(steps).toEqual([
      { key: 'collections', kind: 'collections', level: 1, at: '2027-02-21T00:00:00.000Z', template: 'collections_handoff', channel: 'letter', feeMinor: 0 },
    ]);
  });

  it('refuses levels that do not ascend strictly in offset or number', () => {
    const base = DEFAULT_DUNNING_POLICY.levels;
    const sameOffset: DunningPolicy = { ...DEFAULT_DUNNING_POLICY, levels: [base[0]!, { ...base[1]!, offsetDays: 1 }] };
    const backwards: DunningPolicy = { ...DEFAULT_DUNNING_POLICY, levels: [base[1]!, base[0]!] };
    const sameLevel: DunningPolicy = { ...DEFAULT_DUNNING_POLICY, levels: [base[0]!, { ...base[1]!, level: 1 }] };
    const levelDown: DunningPolicy = { ...DEFAULT_DUNNING_POLICY, levels: [{ ...base[0]!, level: 2 }, { ...base[1]!, level: 1 }] };
    for (const policy of [sameOffset, backwards, sameLevel, levelDown]) {
      expect(() => dunningSchedule('2026-12-23', policy)).toThrow(RangeError);
    }
    expect(() => dunningSchedule('2026-12-23', sameOffset)).toThrow(/ascend strictly/);
  });

  it('refuses invalid dates, days, level numbers and fees', () => {
    expect(() => dunningSchedule('2026-02-30', DEFAULT_DUNNING_POLICY)).toThrow(RangeError);
    expect(() => dunningSchedule('2026-12-23', { ...DEFAULT_DUNNING_POLICY, preDueReminderDays: -1 })).toThrow(RangeError);
    expect(() => dunningSchedule('2026-12-23', { ...DEFAULT_DUNNING_POLICY, collectionsAfterDays: 1.5 })).toThrow(RangeError);
    const base = DEFAULT_DUNNING_POLICY.levels[0]!;
    expect(() => dunningSchedule('2026-12-23', { ...DEFAULT_DUNNING_POLICY, levels: [{ ...base, level: 0 }] })).toThrow(RangeError);
    expect(() => dunningSchedule('2026-12-23', { ...DEFAULT_DUNNING_POLICY, levels: [{ ...base, offsetDays: -2 }] })).toThrow(RangeError);
    expect(() => dunningSchedule('2026-12-23', { ...DEFAULT_DUNNING_POLICY, levels: [{ ...base, feeMinor: 10.5 }] })).toThrow(RangeError);
  });
});

describe('shiftStep', () => {
  const schedule = dunningSchedule('2026-12-23', DEFAULT_DUNNING_POLICY);

  it('moves a step later by the pause, keeping everything else', () => {
    const step = schedule[2]!;
    const shifted = shiftStep(step, 10 * DAY + 90 * 60_000);
    expect(shifted).toEqual({ ...step, at: '2027-01-17T01:30:00.000Z' });
    expect(step.at).toBe('2027-01-07T00:00:00.000Z'); // the original is untouched
  });

  it('keeps the spacing of the remaining steps (resume from where it stood)', () => {
    const remaining = schedule.slice(2);
    const paused = 17 * DAY + 1234;
    const shifted = remaining.map((s) => shiftStep(s, paused));
    const gaps = (steps: DunningStep[]) => steps.slice(1).map((s, i) => Date.parse(s.at) - Date.parse(steps[i]!.at));
    expect(gaps(shifted)).toEqual(gaps(remaining));
    expect(Date.parse(shifted[0]!.at) - Date.parse(remaining[0]!.at)).toBe(paused);
  });

  it('leaves a step alone for a zero pause', () => {
    expect(shiftStep(schedule[1]!, 0)).toEqual(schedule[1]);
  });

  it('refuses negative or fractional pauses and invalid times', () => {
    expect(() => shiftStep(schedule[1]!, -1)).toThrow(RangeError);
    expect(() => shiftStep(schedule[1]!, 1.5)).toThrow(RangeError);
    expect(() => shiftStep({ ...schedule[1]!, at: 'soon' }, 1)).toThrow(RangeError);
  });
});

describe('nextDueStep', () => {
  const schedule = dunningSchedule('2026-12-23', DEFAULT_DUNNING_POLICY);

  it('returns the first step not yet done', () => {
    expect(nextDueStep(schedule, new Set())?.key).toBe('pre-due');
    expect(nextDueStep(schedule, new Set(['pre-due']))?.key).toBe('level-1');
    expect(nextDueStep(schedule, new Set(['pre-due', 'level-1', 'level-2']))?.key).toBe('level-3');
  });

  it('never skips a level that is not done, whatever came after it', () => {
    // e.g. a partial payment between levels: the next notice is still the next level
    expect(nextDueStep(schedule, new Set(['pre-due', 'level-2']))?.key).toBe('level-1');
  });

  it('returns undefined when every step is done', () => {
    expect(nextDueStep(schedule, new Set(schedule.map((s) => s.key)))).toBeUndefined();
    expect(nextDueStep([], new Set())).toBeUndefined();
  });
});

describe('describeStep', () => {
  it('describes each kind of step in plain words', () => {
    const [preDue, level1, level2, , collections] = dunningSchedule('2026-12-23', DEFAULT_DUNNING_POLICY);
    expect(describeStep(preDue!)).toBe('friendly reminder');
    expect(describeStep(level1!)).toBe('dunning level 1 (friendly_reminder)');
    expect(describeStep(level2!)).toBe('dunning level 2 (second_notice)');
    expect(describeStep(collections!)).toBe('hand-off to collections');
  });
});

describe('dunningPause', () => {
  const now = Date.parse('2026-12-10T12:00:00Z');

  it('does not pause without open disputes', () => {
    expect(dunningPause([], now)).toEqual({ paused: false, resumeAt: null });
  });

  it('pauses until resolution for a dispute without a resume date', () => {
    expect(dunningPause([{ resumeOn: null }], now)).toEqual({ paused: true, resumeAt: null });
  });

  it('pauses until the start of the resume date, and not on or after it', () => {
    expect(dunningPause([{ resumeOn: '2026-12-15' }], now)).toEqual({ paused: true, resumeAt: Date.parse('2026-12-15T00:00:00Z') });
    expect(dunningPause([{ resumeOn: '2026-12-10' }], now)).toEqual({ paused: false, resumeAt: null });
  });

  it('lasts while any open dispute holds it: the latest resume date, or none while one has no date', () => {
    const dated = [{ resumeOn: '2026-12-15' }, { resumeOn: '2026-12-20' }];
    expect(dunningPause(dated, now)).toEqual({ paused: true, resumeAt: Date.parse('2026-12-20T00:00:00Z') });
    expect(dunningPause([...dated, { resumeOn: null }], now)).toEqual({ paused: true, resumeAt: null });
    // One whose date has passed no longer holds dunning; the other still does.
    expect(dunningPause([{ resumeOn: '2026-12-01' }, { resumeOn: '2026-12-20' }], now).paused).toBe(true);
  });
});
