import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, tempDir } from './cli-test-helpers';

const tmp = tempDir('models');
afterAll(tmp.cleanup);

const TINY = ['--train-limit', '128', '--test-limit', '64', '--epochs', '1', '--batch-size', '64', '--no-store', '--json'];

/** `count` random records in CIFAR-10's binary layout: a label byte (0..9), then 3072 pixel bytes. */
function cifarBatch(count: number, seed: number): Buffer {
  const bytes = Buffer.alloc(count * 3073);
  let s = seed;
  for (let i = 0; i < bytes.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = i % 3073 === 0 ? s % 10 : s & 0xff;
  }
  return bytes;
}

describe('localbp train: conv, GAN and BP models, CIFAR-10', () => {
  it('--model bp-cnn trains the cae,cae,cae encoders end to end with a linear head', async () => {
    const res = await runCli(['train', '--model', 'bp-cnn', '--width', '4', ...TINY, '--out', path.join(tmp.dir, 'bp-cnn')]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    expect(summary).toMatchObject({ model: 'bp', status: 'completed', head: { hidden: [] } });
    expect((summary.cells as Array<{ type: string }>).map((c) => c.type)).toEqual(['cae', 'cae', 'cae']);
    expect(summary.peakTensorBytes).toBeGreaterThan(0);
  });

  it('--model bp-mlp --cells overrides the stack; --schedule separate is a usage error for BP', async () => {
    const res = await runCli(['train', '--model', 'bp-mlp', '--cells', 'ae,dae', '--width', '16', ...TINY, '--out', path.join(tmp.dir, 'bp-mlp')]);
    expect(res.code, res.stderr).toBe(0);
    expect((lastJsonLine(res.stdout).cells as Array<{ type: string }>).map((c) => c.type)).toEqual(['ae', 'dae']);
    const bad = await runCli(['train', '--model', 'bp-mlp', '--schedule', 'separate', ...TINY]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--schedule separate: --model bp-mlp trains end to end/);
  });

  it('--cells gan,gan trains with finite losses; a mixed cae,ae stack connects', async () => {
    const gan = await runCli(['train', '--cells', 'gan,gan', '--width', '32', ...TINY, '--out', path.join(tmp.dir, 'gan')]);
    expect(gan.code, gan.stderr).toBe(0);
    const cells = lastJsonLine(gan.stdout).cells as Array<{ type: string; loss: number | null; objective: string }>;
    expect(cells.map((c) => [c.type, c.objective])).toEqual([['gan', 'adversarial'], ['gan', 'adversarial']]);
    expect(cells.every((c) => Number.isFinite(c.loss))).toBe(true);
    const mixed = await runCli(['train', '--cells', 'cae,ae', '--width', '8', ...TINY, '--out', path.join(tmp.dir, 'mixed')]);
    expect(mixed.code, mixed.stderr).toBe(0);
    const wrong = await runCli(['train', '--cells', 'ae,cae', '--width', '8', ...TINY]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/cell-2 \(cae\).*needs an image-shaped input.*put conv cells before dense cells/);
  });

  it('--dataset cifar10 reads generated binary files from --data-dir, and says what to pass without it', async () => {
    const dir = path.join(tmp.dir, 'cifar');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    for (let b = 1; b <= 5; b++) writeFileSync(path.join(dir, `data_batch_${b}.bin`), cifarBatch(20, b));
    writeFileSync(path.join(dir, 'test_batch.bin'), cifarBatch(30, 9));
    const res = await runCli(['train', '--dataset', 'cifar10', '--data-dir', dir, '--cells', 'cae,cae', '--width', '4', ...TINY, '--out', path.join(tmp.dir, 'c10')]);
    expect(res.code, res.stderr).toBe(0);
    expect(lastJsonLine(res.stdout)).toMatchObject({ dataset: 'cifar10', trainExamples: 100, testExamples: 30 });
    const missing = await runCli(['train', '--dataset', 'cifar10', ...TINY]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/CIFAR-10 is not bundled.*--data-dir.*data_batch_1\.bin/);
  });
});
