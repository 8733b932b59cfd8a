import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { LbpModel } from './lbp-model';
import { LocalTrainer } from './local-trainer';
import type { LbpModelConfigInput } from './training-config';

let train: LabeledSplit;
let test: LabeledSplit;
const shape = { imageShape: [28, 28, 1], numClasses: 10 };

beforeAll(async () => {
  await resolveBackend('wasm');
  const mnist = loadDataset('mnist');
  train = subset(mnist.train, 1000);
  test = subset(mnist.test, 300);
});

const small = (cells: string[], extra: Partial<LbpModelConfigInput> = {}): LbpModelConfigInput => ({
  cells: cells.map((type) => ({ type })),
  width: 48,
  seed: 5,
  ...extra,
});

function weightsOf(model: LbpModel, prefix: string): Float32Array[] {
  return model
    .namedWeights()
    .filter((w) => w.name.startsWith(prefix))
    .map((w) => w.tensor.dataSync() as Float32Array);
}

describe('LocalTrainer', () => {
  it('learns MNIST well above chance with the simultaneous schedule and reports per-cell losses', async () => {
    // Small widths and few steps: a faster classifier keeps the test short.
    const model = LbpModel.create(small(['ae', 'ae', 'dae'], { width: 64, headOptimizer: { learningRate: 0.01 } }), shape);
    const batchLogs: Array<Record<string, number>> = [];
    const cellEnds: string[] = [];
    const result = await new LocalTrainer(model).fit(train, {
      epochs: 3,
      batchSize: 16,
      test,
      callbacks: {
        onBatchEnd: (_b, logs) => void batchLogs.push(logs),
        onCellEnd: (cell, logs) => {
          expect(Number.isFinite(logs.loss)).toBe(true);
          cellEnds.push(`${cell.id}@${logs.epoch}`);
        },
      },
    });
    expect(result.status).toBe('completed');
    expect(result.testAccuracy).toBeGreaterThan(0.5);
    expect(result.epochs).toHaveLength(3);
    expect(Object.keys(batchLogs[0]!)).toEqual(expect.arrayContaining(['loss/cell-1', 'loss/cell-2', 'loss/cell-3', 'loss/head']));
    expect(cellEnds).toEqual(['cell-1@0', 'cell-2@0', 'cell-3@0', 'cell-1@1', 'cell-2@1', 'cell-3@1', 'cell-1@2', 'cell-2@2', 'cell-3@2']);
    // Local losses fall: the first cell's reconstruction improves from the first to the last epoch.
    expect(result.epochs[2]!.losses['loss/cell-1']!).toBeLessThan(result.epochs[0]!.losses['loss/cell-1']!);
    expect(result.peakTensorBytes).toBeGreaterThan(0);
    model.dispose();
  });

  it('leaks no tensors: the live tensor count after epoch 1 equals that after epoch 3', async () => {
    const model = LbpModel.create(small(['ae', 'dae', 'ae']), shape);
    const counts: number[] = [];
    await new LocalTrainer(model).fit(subset(train, 256), {
      epochs: 3,
      batchSize: 64,
      test: subset(test, 100),
      callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
    });
    expect(counts).toHaveLength(3);
    expect(counts[2]).toBe(counts[0]);
    model.dispose();
  });

  it('no gradient crosses cells: cell 1 trained under two more cells equals cell 1 trained alone', async () => {
    const run = async (cells: string[]) => {
      const model = LbpModel.create(small(cells), shape);
      await new LocalTrainer(model).fit(subset(train, 128), { epochs: 1, batchSize: 32, evaluateEachEpoch: false });
      const w = weightsOf(model, 'cell-1/');
      model.dispose();
      return w;
    };
    const alone = await run(['ae']);
    const stacked = await run(['ae', 'ae', 'ae']);
    expect(stacked.length).toBe(alone.length);
    stacked.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(alone[i]!)));
  });

  it("a cell's loss has no gradient path to the cell before it", () => {
    const model = LbpModel.create(small(['ae', 'ae']), shape);
    const x = tf.tidy(() => tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 1));
    const [first, second] = model.cells;
    const latent = first!.encode(x);
    const firstVars = first!.updates()[0]!.variables();
    const context = { step: 0, emitLatent: () => undefined, probe: () => undefined };
    expect(() => tf.variableGrads(() => second!.updates()[0]!.loss(latent, context), firstVars)).toThrow();
    tf.dispose([x, latent]);
    model.dispose();
  });

  it('the separate schedule trains cell by cell, freezing each, then the classifier', async () => {
    const model = LbpModel.create(small(['ae', 'ae'], { width: 64, headOptimizer: { learningRate: 0.01 } }), shape);
    const phases: string[] = [];
    const snapshots: Record<string, Float32Array[]> = {};
    const result = await new LocalTrainer(model).fit(train, {
      epochs: 2,
      batchSize: 16,
      schedule: 'separate',
      test,
      callbacks: {
        onPhaseBegin: (p) => {
          phases.push(p.name);
          snapshots[p.name] = weightsOf(model, 'cell-1/').map((w) => w.slice());
        },
      },
    });
    expect(phases).toEqual(['cell-1', 'cell-2', 'head']);
    expect(result.epochs.map((e) => e.phase)).toEqual(['cell-1', 'cell-1', 'cell-2', 'cell-2', 'head', 'head']);
    // Cell 1 changed during its own phase and never after.
    const afterOwnPhase = snapshots['cell-2']!;
    expect(Array.from(afterOwnPhase[0]!)).not.toEqual(Array.from(snapshots['cell-1']![0]!));
    weightsOf(model, 'cell-1/').forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(afterOwnPhase[i]!)));
    expect(result.epochs[0]!.testAccuracy).toBeUndefined();
    // Well above chance (0.1) on 300 test digits after 126 classifier steps on frozen features.
    expect(result.testAccuracy).toBeGreaterThan(0.4);
    model.dispose();
  });

  it('is reproducible: the same seed gives the same weights and accuracy', async () => {
    const run = async () => {
      const model = LbpModel.create(small(['dae', 'ae']), shape);
      const r = await new LocalTrainer(model).fit(subset(train, 128), { epochs: 1, batchSize: 32, test: subset(test, 100) });
      const w = weightsOf(model, '');
      model.dispose();
      return { acc: r.testAccuracy, w };
    };
    const a = await run();
    const b = await run();
    expect(b.acc).toBe(a.acc);
    a.w.forEach((w, i) => expect(Array.from(b.w[i]!)).toEqual(Array.from(w)));
  });

  it('stops after the current batch when aborted, reporting where it stands', async () => {
    const model = LbpModel.create(small(['ae']), shape);
    const controller = new AbortController();
    const result = await new LocalTrainer(model).fit(subset(train, 256), {
      epochs: 2,
      batchSize: 32,
      signal: controller.signal,
      callbacks: { onBatchEnd: (b) => void (b === 2 && controller.abort()) },
    });
    expect(result.status).toBe('interrupted');
    expect(result.progress).toMatchObject({ phase: 0, epoch: 0, batch: 3, step: 3 });
    model.dispose();
  });
});

describe('LbpModel', () => {
  it('names an unknown cell and a bad objective before training', () => {
    expect(() => LbpModel.create(small(['xyz']), shape)).toThrow('unknown cell "xyz"; registered cells:');
    expect(() => LbpModel.create({ ...small(['ae', 'ae']), cells: [{ type: 'ae' }, { type: 'ae', objective: 'bce' }] }, shape)).toThrow(
      'cell-2 (ae): cell-2: objective "bce" needs inputs in [0, 1]',
    );
  });

  it('reports bad cell options on one readable line', () => {
    expect(() => LbpModel.create({ ...small(['ae']), cells: [{ type: 'ae', options: { normalization: 'sideways' } }] }, shape)).toThrow(
      /^cell-1 \(ae\): normalization: Invalid option: expected one of "pre-activation"\|"post-activation"$/,
    );
  });

  it('concatenates every latent for the classifier', () => {
    const model = LbpModel.create({ ...small(['ae', 'ae']), cells: [{ type: 'ae', width: 20 }, { type: 'ae', width: 12 }] }, shape);
    const x = tf.zeros([3, 28, 28, 1]);
    const f = model.features(x);
    expect(f.shape).toEqual([3, 32]);
    expect(model.head.inputUnits).toBe(32);
    tf.dispose([x, f]);
    model.dispose();
  });
});
