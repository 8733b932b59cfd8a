import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, loadCheckpointInto, readCheckpointManifest, saveCheckpoint } from './checkpoint';
import { LbpModel } from './lbp-model';
import { createModel } from './model-factory';
import { LocalTrainer, type TrainingProgress } from './local-trainer';
import type { LbpModelConfigInput } from './training-config';

let train: LabeledSplit;
let test: LabeledSplit;
const shape = { imageShape: [28, 28, 1], numClasses: 10 };
const config: LbpModelConfigInput = { cells: [{ type: 'ae' }, { type: 'dae' }], width: 24, seed: 9 };
const fit = { epochs: 2, batchSize: 32, schedule: 'simultaneous' as const, evaluateEachEpoch: false };

beforeAll(async () => {
  await resolveBackend('wasm');
  const mnist = loadDataset('mnist');
  train = subset(mnist.train, 160);
  test = subset(mnist.test, 100);
});

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'localbp-ckpt-'));
const flat = (model: { namedWeights: LbpModel['namedWeights'] }) => model.namedWeights().map((w) => Array.from(w.tensor.dataSync()));

describe('checkpoints', () => {
  it('an interrupted run resumed from its checkpoint ends exactly where an uninterrupted one does', async () => {
    const straight = LbpModel.create(config, shape);
    await new LocalTrainer(straight).fit(train, fit);
    const expected = flat(straight);
    straight.dispose();

    const dir = tmp();
    const first = LbpModel.create(config, shape);
    const controller = new AbortController();
    let saved: TrainingProgress | null = null;
    const interrupted = await new LocalTrainer(first).fit(train, {
      ...fit,
      signal: controller.signal,
      callbacks: { onBatchEnd: (b, logs) => void (b === 1 && logs.epoch === 1 && controller.abort()) },
      onProgress: async (progress, history) => {
        saved = progress;
        await saveCheckpoint(dir, first, { fit, progress, history, run: { note: 'test' } });
      },
    });
    expect(interrupted.status).toBe('interrupted');
    expect(saved).toMatchObject({ phase: 0, epoch: 1, batch: 2 });
    first.dispose();

    const manifest = await readCheckpointManifest(dir);
    const resumed = createModel(manifest.model, manifest.data);
    const restored = await loadCheckpointInto(dir, resumed, manifest);
    expect(restored.run).toEqual({ note: 'test' });
    const result = await new LocalTrainer(resumed).fit(train, { ...restored.fit, from: restored.progress, history: restored.history });
    expect(result.status).toBe('completed');
    expect(result.epochs).toHaveLength(2);
    expect(result.epochs[1]!.resumedAtBatch).toBe(2);
    flat(resumed).forEach((w, i) => expect(w).toEqual(expected[i]));
    resumed.dispose();
  });

  it('a saved model predicts exactly what the original predicts', async () => {
    const dir = tmp();
    const model = LbpModel.create(config, shape);
    await new LocalTrainer(model).fit(train, { ...fit, epochs: 1 });
    await saveCheckpoint(dir, model, { fit, progress: { phase: 1, epoch: 0, batch: 0, step: 5, epochsDone: 1 }, history: [], run: {} });
    const x = tf.tidy(() => tf.randomUniform([10, 28, 28, 1], 0, 1, 'float32', 3));
    const before = model.predictLogits(x);
    const copy = createModel((await readCheckpointManifest(dir)).model, shape);
    await loadCheckpointInto(dir, copy);
    const after = copy.predictLogits(x);
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([x, before, after]);
    model.dispose();
    copy.dispose();
  });

  it('keeps the previous checkpoint when a new one replaces it, and cleans the old weights', async () => {
    const dir = tmp();
    const model = LbpModel.create(config, shape);
    const progress = (step: number) => ({ phase: 0, epoch: 0, batch: step, step, epochsDone: 0 });
    await saveCheckpoint(dir, model, { fit, progress: progress(1), history: [], run: {} });
    await saveCheckpoint(dir, model, { fit, progress: progress(2), history: [], run: {} });
    const files = (await fs.readdir(dir)).sort();
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(files).toContain('checkpoint.json');
    expect((await readCheckpointManifest(dir)).progress.step).toBe(2);
    model.dispose();
  });

  it('refuses missing, corrupt, foreign and future-format checkpoints with clear errors, loading nothing', async () => {
    const dir = tmp();
    await expect(readCheckpointManifest(dir)).rejects.toThrow(`no checkpoint at ${dir}`);
    await fs.writeFile(path.join(dir, 'checkpoint.json'), '{ not json');
    await expect(readCheckpointManifest(dir)).rejects.toThrow('is not valid JSON');
    await fs.writeFile(path.join(dir, 'checkpoint.json'), JSON.stringify({ format: 'something-else', formatVersion: 1 }));
    await expect(readCheckpointManifest(dir)).rejects.toThrow('is not a localbp checkpoint');

    const model = LbpModel.create(config, shape);
    await saveCheckpoint(dir, model, { fit, progress: { phase: 0, epoch: 0, batch: 0, step: 0, epochsDone: 0 }, history: [], run: {} });
    const manifestPath = path.join(dir, 'checkpoint.json');
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
    await fs.writeFile(manifestPath, JSON.stringify({ ...manifest, formatVersion: 99 }));
    await expect(readCheckpointManifest(dir)).rejects.toThrow('has checkpoint format v99; this localbp reads v1');

    await fs.writeFile(manifestPath, JSON.stringify(manifest));
    const weights = path.join(dir, manifest.weightsFile);
    const bytes = await fs.readFile(weights);
    await fs.writeFile(weights, bytes.subarray(0, 100));
    const target = LbpModel.create(config, shape);
    const original = flat(target);
    await expect(loadCheckpointInto(dir, target)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpointInto(dir, target)).rejects.toThrow('hold 100 bytes');
    expect(flat(target)).toEqual(original);

    await fs.writeFile(weights, bytes);
    const wider = LbpModel.create({ ...config, width: 30 }, shape);
    await expect(loadCheckpointInto(dir, wider)).rejects.toThrow('has shape');
    model.dispose();
    target.dispose();
    wider.dispose();
  });
});
