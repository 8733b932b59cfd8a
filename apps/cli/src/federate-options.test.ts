import '@localbp/datasets';
import '@localbp/objectives';
import { describe, expect, it } from 'vitest';
import { parseModelFlags, type RawModelFlags } from './federate-options';

// What commander hands over when only --model is given (the defaults of MODEL_FLAGS).
const DEFAULTS: RawModelFlags = {
  dataset: 'mnist', model: 'lbp', noise: 'gaussian', noiseLevel: '0.1', lr: '0.001', weightDecay: '0.01', headLr: '0.001',
  headDropout: '0', seed: '1', backend: 'auto', layers: '3', ffInference: 'linear', ffNegatives: 'random', peerNorm: '0.03', reluGradient: 'relu',
};

describe('federate model flags', () => {
  it('build the model `localbp train` builds when --cells, --width and --head-hidden are left out', () => {
    const cnn = parseModelFlags({ ...DEFAULTS, model: 'bp-cnn' }).model as { cells: Array<{ type: string }>; width?: number; head: { hidden: number[] } };
    expect(cnn.cells.map((c) => c.type)).toEqual(['cae', 'cae', 'cae']);
    expect(cnn.width).toBeUndefined();
    expect(cnn.head.hidden).toEqual([]);
    const lbp = parseModelFlags({ ...DEFAULTS, cells: 'cae,cae' }).model as { width?: number; head: { hidden: number[] } };
    expect(lbp.width).toBeUndefined();
    expect(lbp.head.hidden).toEqual([512]);
    expect((parseModelFlags({ ...DEFAULTS, width: '64' }).model as { width?: number }).width).toBe(64);
  });
});
