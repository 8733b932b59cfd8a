import { describe, expect, it } from 'vitest';
import { judgeClaims } from './paper-claims';
import type { AccuracyRow, PaperResults } from './paper-results';
import { spread } from './summary-statistics';

function row(model: string, finals: number[]): AccuracyRow {
  const s = spread(finals);
  return {
    dataset: 'mnist', model, seeds: finals.map((_, i) => i + 1), finalAccuracy: s, bestAccuracy: s, epochAccuracy: [s], secondsPerEpoch: null,
    peakTensorBytes: null, peakRssBytes: null, parameters: null, bestEpoch: 1, engines: ['native'], workers: [1], published: null, gap: null,
  };
}

function results(overrides: Partial<PaperResults> = {}): PaperResults {
  const rows = [row('bp-cnn', [0.99, 0.99]), row('lbp-cae', [0.98, 0.981]), row('lbp-ae', [0.97, 0.971]), row('ff', [0.9, 0.95]), row('lbp-gan', [0.8, 0.81])];
  return {
    accuracy: [{ dataset: 'mnist', rows }],
    separate: {
      dataset: 'mnist',
      rows: [
        { model: 'lbp-ae', simultaneous: spread([0.97]), separate: spread([0.96]), drop: 0.01 },
        { model: 'ff', simultaneous: spread([0.9]), separate: spread([0.7]), drop: 0.2 },
      ],
    },
    memoryDepth: {
      dataset: 'mnist',
      points: [],
      savings: [
        { lbp: 'lbp-cae', bp: 'bp-cnn', depth: 2, tensorSaving: 0.1, rssSaving: 0.05 },
        { lbp: 'lbp-cae', bp: 'bp-cnn', depth: 8, tensorSaving: 0.5, rssSaving: 0.2 },
      ],
    },
    federated: {
      dataset: 'mnist',
      rows: [
        { model: 'lbp-ae', setting: 'cell-distributed', seeds: [1], finalAccuracy: spread([0.9]), roundAccuracy: [0.9], centralizedSetting: 'centralized-separate', centralized: spread([0.92]), centralizedEpochAccuracy: [0.92], gap: 0.02 },
        { model: 'lbp-ae', setting: 'iid', seeds: [1], finalAccuracy: spread([0.95]), roundAccuracy: [0.95], centralizedSetting: 'centralized', centralized: spread([0.97]), centralizedEpochAccuracy: [0.97], gap: 0.02 },
        { model: 'ff', setting: 'iid', seeds: [1], finalAccuracy: spread([0.8]), roundAccuracy: [0.8], centralizedSetting: 'centralized', centralized: spread([0.9]), centralizedEpochAccuracy: [0.9], gap: 0.1 },
      ],
    },
    ...overrides,
  };
}

describe('judgeClaims', () => {
  it('confirms each claim when every comparison it rests on holds, with the numbers', () => {
    const claims = judgeClaims(results());
    expect(claims.map((c) => c.verdict)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed']);
    expect(claims[0]!.evidence[0]).toBe('✓ mnist: best LBP (lbp-cae 98.05%) vs best FF (ff 92.50%): +5.55 points');
    expect(claims[2]!.evidence[0]).toContain('50.00% at depth 8');
  });

  it('adds a caveat when the core comparison holds but another fails, and says which', () => {
    const memoryDepth = { dataset: 'mnist', points: [], savings: [{ lbp: 'lbp-cae', bp: 'bp-cnn', depth: 2, tensorSaving: 0.5, rssSaving: 0.1 }, { lbp: 'lbp-cae', bp: 'bp-cnn', depth: 3, tensorSaving: 0.4, rssSaving: 0.1 }] };
    const memory = judgeClaims(results({ memoryDepth }))[2]!;
    expect(memory.verdict).toBe('confirmed with a caveat');
    expect(memory.failing).toEqual(['the saving grows with depth (each depth at least the one before, half a point of slack): 50.00% at depth 2, 40.00% at depth 3']);
  });

  it('does not confirm "up to 48% less memory" from a saving of a few percent, even where LBP does save', () => {
    const savings = [2, 3, 4, 8].map((depth, i) => ({ lbp: 'lbp-cae', bp: 'bp-cnn', depth, tensorSaving: [-0.08, 0.042, 0.047, 0.007][i]!, rssSaving: -0.2 }));
    const memory = judgeClaims(results({ memoryDepth: { dataset: 'mnist', points: [], savings } }))[2]!;
    expect(memory.verdict).toBe('not confirmed');
    expect(memory.evidence[0]).toMatch(/^✗ largest saving of lbp-cae vs bp-cnn in peak tensor memory: 4\.70% at depth 4/);
    expect(memory.evidence).toContain('✓ lbp-cae needs less peak tensor memory than bp-cnn at some depth');
    expect(memory.failing.some((f) => f.startsWith('the saving grows with depth'))).toBe(true);
  });

  it('keeps a claim below "confirmed" while part of it has no runs', () => {
    const base = results();
    const accuracy = [{ dataset: 'mnist', rows: base.accuracy[0]!.rows.filter((r) => r.model !== 'bp-cnn') }];
    const ranking = judgeClaims({ ...base, accuracy })[1]!;
    expect(ranking.verdict).toBe('confirmed with a caveat');
    expect(ranking.failing).toEqual(['not tested yet: bp-cnn beside lbp-cae']);
  });

  it('does not confirm a claim whose core comparison fails, and leaves untested what has no runs', () => {
    const base = results();
    const accuracy = [{ dataset: 'mnist', rows: [row('ff', [0.99]), ...base.accuracy[0]!.rows.filter((r) => r.model !== 'ff')] }];
    const claims = judgeClaims({ ...base, accuracy, memoryDepth: { dataset: 'mnist', points: [], savings: [] } });
    expect(claims[0]!.verdict).toBe('not confirmed');
    expect(claims[2]!.verdict).toBe('not tested');
  });
});
