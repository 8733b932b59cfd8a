import { mkdtemp, readdir, readFile, rm, writeFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filePathFromUrl, registerFileSystemRouter } from './file-system-router';
import { loadModelArtifacts, saveModelArtifacts } from './model-artifacts-files';
import { resolveBackend } from './resolve-backend';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'localbp-fs-'));
  await resolveBackend('cpu', { quiet: true });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function smallModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  return model;
}

const INPUT = [
  [0.1, -0.2, 0.3, 0.4],
  [1, 2, -3, 0.5],
];

describe('file:// router', () => {
  it('parses file URLs and ignores other schemes', () => {
    expect(filePathFromUrl('file:///abs/dir')).toBe('/abs/dir');
    expect(filePathFromUrl(['file:///abs/dir/model.json'])).toBe('/abs/dir/model.json');
    expect(filePathFromUrl('http://x/model.json')).toBeNull();
    expect(filePathFromUrl(['file:///a', 'file:///b'])).toBeNull();
  });

  it('registers once and claims file:// URLs', () => {
    expect(registerFileSystemRouter()).toBe(true);
    expect(registerFileSystemRouter()).toBe(true);
    expect(tf.io.getSaveHandlers('file:///tmp/x')).toHaveLength(1);
    expect(tf.io.getLoadHandlers('file:///tmp/x/model.json')).toHaveLength(1);
    expect(tf.io.getSaveHandlers('indexeddb://x')).toHaveLength(0);
  });

  it('saves on cpu in tfjs-node layout and loads on wasm with the same predictions', async () => {
    const model = smallModel();
    const expected = tf.tidy(() => (model.predict(tf.tensor2d(INPUT)) as tf.Tensor).arraySync());
    const result = await model.save(`file://${dir}`);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((4 * 5 + 5 + 5 * 2 + 2) * 4);

    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toHaveLength(4);
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers/);
    expect(json).toHaveProperty('convertedBy');
    expect(json.modelTopology.class_name).toBe('Sequential');

    await resolveBackend('wasm', { quiet: true });
    const loaded = await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
    const actual = tf.tidy(() => (loaded.predict(tf.tensor2d(INPUT)) as tf.Tensor).arraySync());
    expect(tf.getBackend()).toBe('wasm');
    expect(actual).toEqual(
      (expected as number[][]).map((row) => row.map((v) => expect.closeTo(v, 6))),
    );
    model.dispose();
    loaded.dispose();
  });

  it('overwrites an existing model and leaves no temp files', async () => {
    const a = smallModel();
    const b = smallModel();
    await a.save(`file://${dir}`);
    await b.save(`file://${dir}`);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
    const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weightsOf(loaded)).toEqual(weightsOf(b));
    [a, b, loaded].forEach((m) => m.dispose());
  });

  it('round-trips the training config and optimizer weights', async () => {
    const model = smallModel();
    await model.fit(tf.tensor2d(INPUT), tf.tensor2d([[0, 1], [1, 0]]), { epochs: 1, verbose: 0 });
    await model.save(`file://${dir}`, { includeOptimizer: true });
    const artifacts = await loadModelArtifacts(path.join(dir, 'model.json'));
    expect(artifacts.trainingConfig?.loss).toBe('mean_squared_error');
    expect(artifacts.weightSpecs?.some((w) => w.group === 'optimizer')).toBe(true);
    model.dispose();
  });

  it('loads from a directory path too', async () => {
    const model = smallModel();
    await saveModelArtifacts(dir, await captureArtifacts(model));
    const artifacts = await loadModelArtifacts(dir);
    expect(artifacts.weightSpecs).toHaveLength(4);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(37 * 4);
    model.dispose();
  });

  it('reports a missing model.json by name', async () => {
    const missing = path.join(dir, 'nope', 'model.json');
    await expect(tf.loadLayersModel(`file://${missing}`)).rejects.toThrow(`Model file not found: ${missing}`);
    await expect(loadModelArtifacts(path.join(dir, 'nope'))).rejects.toThrow(`Model file not found: ${missing}`);
  });

  it('reports corrupt JSON and invalid structure by file name', async () => {
    const file = path.join(dir, 'model.json');
    await writeFile(file, '{"modelTopology": {');
    await expect(loadModelArtifacts(file)).rejects.toThrow(`Corrupt model file ${file}:`);
    await writeFile(file, JSON.stringify({ modelTopology: {} }));
    await expect(loadModelArtifacts(file)).rejects.toThrow(`Invalid model file ${file}: missing 'weightsManifest'`);
  });

  it('reports a missing or wrongly sized weights file by name', async () => {
    const model = smallModel();
    await model.save(`file://${dir}`);
    const weights = path.join(dir, 'weights.bin');
    await truncate(weights, 100);
    await expect(tf.loadLayersModel(`file://${dir}/model.json`)).rejects.toThrow(
      `Weights file ${weights} has 100 bytes but ${path.join(dir, 'model.json')} describes 148 bytes`,
    );
    await rm(weights);
    await expect(loadModelArtifacts(dir)).rejects.toThrow(`Weights file not found: ${weights}`);
    model.dispose();
  });
});

/** The artifacts model.save would hand to a handler. */
async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured) throw new Error('model.save did not call the handler');
  return captured;
}
