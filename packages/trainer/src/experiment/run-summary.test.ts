import { describe, expect, it } from 'vitest';
import { classifierEpochAccuracy, isCompleteRun, type RunSummary } from './run-summary';

const base: RunSummary = {
  model: 'lbp', dataset: 'mnist', backend: 'native', status: 'completed', epochs: 2, batchSize: 128, seed: 1, trainExamples: 10,
  testExamples: 10, testAccuracy: 0.5, epochSeconds: [1, 1], epochAccuracy: [0.4, 0.5], totalSeconds: 2, peakTensorBytes: 1, peakRssBytes: 1,
  parameters: 1, versions: {},
};

describe('isCompleteRun', () => {
  it('needs one record per epoch under the simultaneous schedule', () => {
    expect(isCompleteRun(base, 2)).toBe(true);
    expect(isCompleteRun(base, 3)).toBe(false);
    expect(isCompleteRun({ ...base, epochSeconds: [1] }, 2)).toBe(false);
  });

  it('accepts a separate-schedule run with `epochs` records per phase, and reads the classifier phase', () => {
    const separate = { ...base, schedule: 'separate' as const, epochSeconds: [1, 1, 1, 1, 1, 1], epochAccuracy: [null, null, null, null, 0.3, 0.5] };
    expect(isCompleteRun(separate, 2)).toBe(true);
    expect(isCompleteRun({ ...separate, epochSeconds: [1, 1, 1, 1, 1] }, 2)).toBe(false);
    expect(classifierEpochAccuracy(separate)).toEqual([0.3, 0.5]);
    expect(classifierEpochAccuracy(base)).toEqual([0.4, 0.5]);
  });
});
