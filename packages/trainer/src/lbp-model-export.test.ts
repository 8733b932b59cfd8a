import { registry, resolveBackend, tf, type Cell, type CellBuildOptions } from '@localbp/core';
import { loadDataset, splitToTensors, subset, type LabeledSplit } from '@localbp/datasets';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LbpModel, ModelConfigError } from './lbp-model';
import { LocalTrainer } from './local-trainer';

let train: LabeledSplit;
let test: LabeledSplit;
const shape = { imageShape: [28, 28, 1], numClasses: 10 };
const dir = mkdtempSync(path.join(tmpdir(), 'localbp-export-'));

beforeAll(async () => {
  await resolveBackend('wasm');
  const mnist = loadDataset('mnist');
  train = subset(mnist.train, 600);
  test = subset(mnist.test, 200);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LbpModel.toLayersModel', () => {
  it('is a LayersModel of built-in layers that predicts what predictLogits predicts, also after save and load', async () => {
    // Every activation/normalization placement the dense cells and head offer.
    const model = LbpModel.create(
      {
        cells: [
          { type: 'ae' },
          { type: 'dae', options: { normalization: 'pre-activation', latentActivation: 'sigmoid' } },
          { type: 'ae', options: { layerNorm: false, latentActivation: 'tanh' } },
        ],
        width: 32,
        head: { hidden: [16], activation: 'relu' },
      },
      shape,
    );
    await new LocalTrainer(model).fit(train, { epochs: 1, batchSize: 64, evaluateEachEpoch: false });
    const { xs } = splitToTensors(test, { flatten: false });
    const exported = model.toLayersModel();
    const classes = new Set(exported.layers.map((l) => l.getClassName()));
    expect([...classes].every((c) => ['InputLayer', 'Flatten', 'Dense', 'Activation', 'LayerNormalization', 'Concatenate'].includes(c))).toBe(true);
    const ours = model.predictLogits(xs);
    const theirs = exported.predict(xs) as tf.Tensor2D;
    expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.argMax(theirs, 1).arraySync()).toEqual(tf.argMax(ours, 1).arraySync());

    await exported.save(`file://${dir}`);
    const loaded = await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
    const reloaded = loaded.predict(xs) as tf.Tensor2D;
    expect(tf.max(tf.abs(tf.sub(ours, reloaded))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([xs, ours, theirs, reloaded]);
    exported.dispose();
    loaded.dispose();
    model.dispose();
  });

  it('names the cell that has no layers equivalent', () => {
    const opaque = (build: CellBuildOptions): Cell => {
      const inner = registry.get('cell', 'ae')(build);
      return Object.assign(Object.create(Object.getPrototypeOf(inner) as object) as Cell, inner, { toLayers: undefined, spec: { ...inner.spec, type: 'opaque' } });
    };
    registry.register('cell', 'opaque-test-cell', opaque);
    const model = LbpModel.create({ cells: [{ type: 'ae' }, { type: 'opaque-test-cell' }], width: 8 }, shape);
    expect(() => model.toLayersModel()).toThrow(ModelConfigError);
    expect(() => model.toLayersModel()).toThrow('cell-2 (opaque) cannot be exported: its cell type has no toLayers()');
    model.dispose();
  });

  it('refuses an activation without a layers equivalent', () => {
    const model = LbpModel.create({ cells: [{ type: 'ae', options: { latentActivation: 'gelu' } }], width: 8 }, shape);
    expect(() => model.toLayersModel()).toThrow('cell-1 (ae) cannot be exported: the gelu activation (tanh approximation) has no tf.layers equivalent to export');
    model.dispose();
  });
});
