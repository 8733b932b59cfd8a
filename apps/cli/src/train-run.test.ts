import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, tempDir } from './cli-test-helpers';

const BACKENDS = ['native', 'wasm', 'tensorflow', 'cpu'];
const tmp = tempDir('run');
afterAll(tmp.cleanup);

const TINY = ['--train-limit', '256', '--test-limit', '100', '--width', '32', '--epochs', '1', '--batch-size', '64'];

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

describe('localbp train on real MNIST', () => {
  it('trains a tiny model and prints the JSON summary as the last stdout line', async () => {
    const out = path.join(tmp.dir, 'tiny');
    const res = await runCli(['train', '--dataset', 'mnist', '--model', 'lbp', '--cells', 'ae,ae,ae', ...TINY, '--json', '--out', out]);
    expect(res.code, res.stderr).toBe(0);

    const summary = lastJsonLine(res.stdout);
    expect(summary).toMatchObject({ model: 'lbp', dataset: 'mnist', status: 'completed', epochs: 1, trainExamples: 256, testExamples: 100 });
    expect(BACKENDS).toContain(summary.backend);
    expect(summary.testAccuracy).toBeTypeOf('number');
    expect(summary.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(summary.testAccuracy).toBeLessThanOrEqual(1);
    const epochSeconds = summary.epochSeconds as number[];
    expect(epochSeconds).toHaveLength(1);
    expect(epochSeconds.every((s) => Number.isFinite(s) && s >= 0)).toBe(true);
    expect(summary.peakTensorBytes).toBeTypeOf('number');
    expect(summary.peakTensorBytes).toBeGreaterThan(0);
    const cells = summary.cells as Array<{ type: string; loss: number | null }>;
    expect(cells).toHaveLength(3);
    for (const cell of cells) {
      expect(cell.type).toBe('ae');
      expect(Number.isFinite(cell.loss)).toBe(true);
    }

    // Progress and the backend go to stderr; stdout is only the JSON line.
    expect(res.stdout.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain(`backend: ${String(summary.backend)}`);
    expect(res.stderr).toMatch(/epoch 1\/1 \d+\/4 .*cell-1 \d+\.\d+.*ETA/);
    expect(res.stderr).toMatch(/test accuracy \d+\.\d+%/);

    // The run directory records the same facts, including the backend actually used.
    const saved = readJson(path.join(out, 'summary.json'));
    expect(saved).toMatchObject({ backend: summary.backend, status: 'completed', testAccuracy: summary.testAccuracy });
    const checkpoint = readJson(path.join(out, 'checkpoint.json'));
    expect(checkpoint.run).toMatchObject({ backend: summary.backend, dataset: 'mnist', trainLimit: 256, testLimit: 100 });
  });

  it('trains cell by cell with --schedule separate: one epoch per cell plus the classifier', async () => {
    const out = path.join(tmp.dir, 'separate');
    const res = await runCli(['train', '--cells', 'ae,ae', '--schedule', 'separate', ...TINY, '--json', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    expect(summary).toMatchObject({ status: 'completed', schedule: 'separate', epochs: 1 });
    expect(summary.cells).toHaveLength(2);
    expect(summary.epochSeconds).toHaveLength(3);
    expect(res.stderr).toMatch(/phase 1: training cell-1/);
    expect(res.stderr).toMatch(/phase 3: training head/);
    expect(existsSync(path.join(out, 'summary.json'))).toBe(true);
  });

  it('passes the noise flags to denoising objectives only', async () => {
    const flags = ['--noise', 'masking', '--noise-level', '0.3', ...TINY, '--epochs', '1', '--json'];
    const dae = await runCli(['train', '--cells', 'dae,ae', ...flags, '--out', path.join(tmp.dir, 'dae')]);
    expect(dae.code, dae.stderr).toBe(0);
    const config = readJson(path.join(tmp.dir, 'dae', 'summary.json')).config as { cells: Array<{ options: object }> };
    expect(config.cells[0]!.options).toEqual({ objectiveOptions: { noise: 'masking', level: 0.3 } });
    expect(config.cells[1]!.options).toEqual({});

    const ae = await runCli(['train', '--cells', 'ae', '--objective', 'denoising', ...flags, '--out', path.join(tmp.dir, 'ae-denoising')]);
    expect(ae.code, ae.stderr).toBe(0);
    expect(lastJsonLine(ae.stdout).cells).toMatchObject([{ type: 'ae', objective: 'denoising' }]);
  });

  it('prints a one-line human summary on stdout without --json', async () => {
    const out = path.join(tmp.dir, 'human');
    const res = await runCli(['train', '--cells', 'dae', ...TINY, '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim().split('\n')).toHaveLength(1);
    expect(res.stdout).toMatch(/^done: test accuracy \d+\.\d+% \(mnist, dae, simultaneous, backend (native|wasm|tensorflow|cpu)\); run saved in /);
  });

  it('trains on Fashion-MNIST from the fashion-mnist package and on the cpu backend on request', async () => {
    const out = path.join(tmp.dir, 'fashion');
    const res = await runCli(['train', '--dataset', 'fashion-mnist', '--cells', 'ae', '--backend', 'cpu', ...TINY, '--json', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    expect(summary).toMatchObject({ dataset: 'fashion-mnist', backend: 'cpu', trainExamples: 256, testExamples: 100, status: 'completed' });
    expect(res.stderr).toMatch(/dataset: Fashion-MNIST, 256 train \/ 100 test examples \(fashion-mnist@/);
    // Four batches of 256 images are enough to beat chance (10%) clearly.
    expect(summary.testAccuracy as number).toBeGreaterThan(0.2);
  });
});
