import { describe, expect, it } from 'vitest';
import { EngineAdmission } from '../../api/admission.js';
import { DomainError } from '../../api/errors.js';

describe('engine admission', () => {
  it('runs calls up to its limit, refuses the next at once without running it, and frees a place when a call ends', async () => {
    const admission = new EngineAdmission(2);
    const releases: Array<() => void> = [];
    const held = () => admission.run(() => new Promise<string>((resolve) => releases.push(() => resolve('done'))));
    const first = held();
    const second = held();
    let ran = false;
    const refused = await admission.run(async () => (ran = true)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', extra: { retryAfterSeconds: 1 } });
    expect(ran).toBe(false);
    releases[0]!();
    expect(await first).toBe('done');
    expect(await admission.run(async () => 'admitted')).toBe('admitted');
    releases[1]!();
    await second;
    expect(admission.busy).toBe(0);
  });

  it('frees the place of a call that failed', async () => {
    const admission = new EngineAdmission(1);
    await expect(admission.run(() => Promise.reject(new Error('engine down')))).rejects.toThrow('engine down');
    expect(admission.busy).toBe(0);
  });
});
