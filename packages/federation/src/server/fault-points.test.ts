import { describe, expect, it } from 'vitest';
import { faultPointsFromEnv, NO_FAULT_POINTS } from './fault-points';

const settled = (p: Promise<void>) => Promise.race([p.then(() => 'resolved'), new Promise((r) => setTimeout(() => r('pending'), 50))]);

describe('fault points (test hooks from the environment)', () => {
  it('are off without the variables', () => {
    expect(faultPointsFromEnv({}, () => {})).toBe(NO_FAULT_POINTS);
  });

  it('stop for good at the N-th time the chosen point is reached, and log it', async () => {
    const lines: string[] = [];
    const faults = faultPointsFromEnv({ LOCALBP_TEST_FAULT_POINT: 'commit@2' }, (m) => lines.push(m));
    expect(await settled(faults.reach('aggregate', 1))).toBe('resolved');
    expect(await settled(faults.reach('commit', 1))).toBe('resolved');
    expect(await settled(faults.reach('commit', 2))).toBe('pending');
    expect(await settled(faults.reach('commit', 3))).toBe('resolved');
    expect(lines).toEqual(['test hooks on: stop at commit #2', 'fault point: commit (round 2)']);
    // An upload's point names the client whose body is half-read.
    const upload = faultPointsFromEnv({ LOCALBP_TEST_FAULT_POINT: 'upload-body' }, (m) => lines.push(m));
    expect(upload.stopsHere('upload-body', 4, 'client-2')).toBe(true);
    expect(lines.at(-1)).toBe('fault point: upload-body (round 4, client-2)');
  });

  it('drop exactly the first N uploads', () => {
    const faults = faultPointsFromEnv({ LOCALBP_TEST_DROP_UPLOADS: '2' }, () => {});
    expect([1, 2, 3, 4].map(() => faults.dropThisUpload())).toEqual([true, true, false, false]);
  });

  it('refuse a malformed setting instead of ignoring it', () => {
    expect(() => faultPointsFromEnv({ LOCALBP_TEST_FAULT_POINT: 'upload@0' }, () => {})).toThrow(/NAME\[@N\] with NAME one of upload-body, aggregate, commit, between-rounds/);
    expect(() => faultPointsFromEnv({ LOCALBP_TEST_DROP_UPLOADS: '-1' }, () => {})).toThrow();
  });
});
