import { resolveBackend, tf, type Cell } from '@localbp/core';
import { countLeakedTensors } from '@localbp/core/testing';
import { loadDataset, splitToTensors, subset, type LabeledSplit } from '@localbp/datasets';
import { decode } from 'fast-png';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LbpModel } from '../lbp-model';
import { LocalTrainer } from '../local-trainer';
import { RunStoreRecorder } from './run-store-recorder';
import { RunWriter } from './run-writer';
import { openRunStore, type SqliteRunStore } from './sqlite-run-store';

let train: LabeledSplit;
let test: LabeledSplit;
let dir: string;
let store: SqliteRunStore;
const shape = { imageShape: [28, 28, 1], numClasses: 10 };

beforeAll(async () => {
  await resolveBackend('wasm');
  const mnist = loadDataset('mnist');
  train = subset(mnist.train, 256);
  test = subset(mnist.test, 100);
  dir = mkdtempSync(path.join(tmpdir(), 'localbp-recorder-'));
  store = await openRunStore(path.join(dir, 'runs.sqlite'));
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function probeImages(): tf.Tensor {
  const { xs, ys } = splitToTensors(subset(test, 6), { flatten: false });
  ys.dispose();
  return xs;
}

describe('RunStoreRecorder', () => {
  it('records every log key per step and cell, reconstruction grids and latent statistics of a real run', async () => {
    const model = LbpModel.create({ cells: [{ type: 'ae' }, { type: 'dae' }], width: 16, seed: 3 }, shape);
    const writer = await RunWriter.begin(store, { name: 'recorded', command: 'test', config: {}, backend: tf.getBackend(), versions: {} });
    const probe = probeImages();
    const recorder = new RunStoreRecorder(writer, { model, probeImages: probe, statsEvery: 3 });
    await new LocalTrainer(model).fit(train, { epochs: 2, batchSize: 64, test, callbacks: recorder });
    await writer.finish('completed');

    const points = await store.metrics(writer.runId);
    const series = (key: string) => points.filter((p) => p.key === key);
    // 256 examples / 64 = 4 steps per epoch.
    expect(series('loss/cell-1').map((p) => [p.step, p.epoch])).toEqual([[1, 0], [2, 0], [3, 0], [4, 0], [5, 1], [6, 1], [7, 1], [8, 1]]);
    expect(series('loss/cell-2').every((p) => p.cell === 'cell-2')).toBe(true);
    expect(series('loss/head').every((p) => p.cell === null)).toBe(true);
    expect(series('epoch/loss/cell-1').map((p) => p.step)).toEqual([4, 8]);
    expect(series('testAccuracy')).toHaveLength(2);
    expect(series('seconds')).toHaveLength(2);
    for (const cell of ['cell-1', 'cell-2']) {
      const std = series(`latent/std/${cell}`);
      // Step 0, every 3 steps, and each epoch end.
      expect(std.map((p) => p.step)).toEqual([0, 3, 4, 6, 8]);
      expect(std[0]!.value).toBeGreaterThan(0);
      // ReLU zeros before the layer norm: about half the outputs of a fresh layer, never none.
      const zeros = series(`latent/zeros/${cell}`).map((p) => p.value!);
      expect(zeros).toHaveLength(5);
      for (const z of zeros) {
        expect(z).toBeGreaterThan(0.05);
        expect(z).toBeLessThan(0.95);
      }
      expect(series(`latent/dead/${cell}`).map((p) => p.step)).toEqual([0, 3, 4, 6, 8]);
    }

    const artifacts = await store.artifacts(writer.runId);
    // Before training (step 0), then at each epoch end.
    expect(artifacts.map((a) => `${a.kind}:${a.cell}@${a.step}`)).toEqual([
      'reconstruction:cell-1@0',
      'reconstruction:cell-2@0',
      'reconstruction:cell-1@4',
      'reconstruction:cell-2@4',
      'reconstruction:cell-1@8',
      'reconstruction:cell-2@8',
    ]);
    const first = await store.readArtifact(artifacts[0]!.id);
    const png = decode(first!.bytes);
    // Two rows (inputs, reconstructions) of six 28x28 images with 2-pixel gaps.
    expect([png.width, png.height, png.channels]).toEqual([6 * 30 + 2, 2 * 30 + 2, 1]);
    // Cell 2 reconstructs 16-wide latents: 4x4 tiles.
    expect(decode((await store.readArtifact(artifacts[1]!.id))!.bytes).height).toBe(2 * 6 + 2);
    probe.dispose();
    model.dispose();
  });

  it('records the dead units of a cell built to have them, in every sample of the epoch, without leaking tensors', async () => {
    const model = LbpModel.create({ cells: [{ type: 'ae' }], width: 16, seed: 3 }, shape);
    // Four encoder units of cell-1 always negative before the ReLU (no gradient revives them), the rest always positive.
    const bias = model.namedWeights().find((w) => w.name === 'cell-1/encoder/bias')!.tensor as tf.Variable;
    tf.tidy(() => bias.assign(tf.tensor1d([...Array(16).keys()].map((i) => (i < 4 ? -1e3 : 1e3)))));
    const writer = await RunWriter.begin(store, { name: 'dead units', command: 'test', config: {}, backend: tf.getBackend(), versions: {} });
    const probe = probeImages();
    const recorder = new RunStoreRecorder(writer, { model, probeImages: probe, statsEvery: 2 });
    await new LocalTrainer(model).fit(train, { epochs: 1, batchSize: 64, callbacks: recorder });
    // Measuring the statistics (and images) of a trained model leaves no tensor behind.
    expect(await countLeakedTensors(() => recorder.onEpochEnd(0, {}))).toBe(0);
    await writer.finish('completed');
    const points = await store.metrics(writer.runId);
    const values = (key: string) => points.filter((p) => p.key === key).map((p) => [p.step, p.value]);
    expect(values('latent/dead/cell-1')).toEqual([[0, 0.25], [2, 0.25], [4, 0.25], [4, 0.25], [4, 0.25]]);
    for (const [, zeros] of values('latent/zeros/cell-1')) expect(zeros).toBeCloseTo(0.25, 5);
    probe.dispose();
    model.dispose();
  });

  it('draws generated samples for cells with generate() and leaks no tensors', async () => {
    const model = LbpModel.create({ cells: [{ type: 'ae' }], width: 16, seed: 3 }, shape);
    // A generative cell as GAN cells will be: the recorder finds `generate` by duck typing.
    const cell = model.cells[0]! as Cell & { generate?: (count: number, seed: number) => tf.Tensor };
    cell.generate = (count, seed) => tf.randomUniform([count, 28, 28, 1], 0, 1, 'float32', seed);
    const writer = await RunWriter.begin(store, { name: 'gan-like', command: 'test', config: {}, backend: tf.getBackend(), versions: {} });
    const probe = probeImages();
    const recorder = new RunStoreRecorder(writer, { model, probeImages: probe, samples: 4 });
    const leaked = await countLeakedTensors(() => recorder.onEpochEnd(0, { 'loss/cell-1': 0.1 }));
    expect(leaked).toBe(0);
    await writer.finish('completed');
    const artifacts = await store.artifacts(writer.runId);
    expect(artifacts.map((a) => a.kind)).toEqual(['reconstruction', 'samples']);
    const samples = decode((await store.readArtifact(artifacts[1]!.id))!.bytes);
    expect([samples.width, samples.height]).toEqual([4 * 30 + 2, 30 + 2]);
    probe.dispose();
    model.dispose();
  });
});
