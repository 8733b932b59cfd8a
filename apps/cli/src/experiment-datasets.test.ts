import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli-test-helpers';

const tmp = tempDir('experiment-datasets');
afterAll(tmp.cleanup);

/** A CIFAR-10 binary-format folder: per record one label byte then 3072 pixel bytes (32×32, R, G, B planes). */
function writeCifarFiles(dir: string, perFile: number): void {
  mkdirSync(dir, { recursive: true });
  let state = 7;
  const byte = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) & 0xff;
  const file = (count: number) => {
    const bytes = new Uint8Array(count * 3073);
    for (let r = 0; r < count; r++) {
      bytes[r * 3073] = r % 10;
      for (let p = 1; p < 3073; p++) bytes[r * 3073 + p] = byte();
    }
    return bytes;
  };
  for (let b = 1; b <= 5; b++) writeFileSync(path.join(dir, `data_batch_${b}.bin`), file(perFile));
  writeFileSync(path.join(dir, 'test_batch.bin'), file(perFile));
}

interface Results {
  results: {
    models: Array<{ dataset: string; model: string; peakTensorBytes: { mean: number }; peakRssBytes: { mean: number } }>;
    memoryRatios: Array<{ dataset: string; lbp: string; bp: string; tensorBytesRatio: number; rssBytesRatio: number }>;
  };
}

describe('localbp experiment over two datasets, LBP beside its BP baseline', () => {
  it('reads cifar10 from --data-dir cifar10=DIR, writes one figure per dataset and the LBP/BP memory ratios', async () => {
    const cifar = path.join(tmp.dir, 'cifar10');
    writeCifarFiles(cifar, 40);
    const out = path.join(tmp.dir, 'grid');
    const res = await runCli([
      'experiment', '--datasets', 'mnist,cifar10', '--models', 'lbp-ae,bp-mlp', '--seeds', '1', '--epochs', '1',
      '--width', '16', '--train-limit', '100', '--test-limit', '40', '--data-dir', `cifar10=${cifar}`, '--out', out,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`--dataset cifar10 --model bp-mlp --seed 1 --epochs 1 --width 16 --train-limit 100 --test-limit 40 --data-dir ${cifar}`);
    const summary = JSON.parse(readFileSync(path.join(out, 'cifar10/lbp-ae/seed-1/summary.json'), 'utf8')) as { trainExamples: number; testExamples: number };
    expect(summary).toMatchObject({ trainExamples: 100, testExamples: 40 });
    for (const d of ['mnist', 'cifar10']) expect(readFileSync(path.join(out, `accuracy-${d}.svg`), 'utf8')).toContain('bp-mlp (n=1)');

    const { results } = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(results.memoryRatios.map((m) => [m.dataset, m.lbp, m.bp])).toEqual([['mnist', 'lbp-ae', 'bp-mlp'], ['cifar10', 'lbp-ae', 'bp-mlp']]);
    for (const ratio of results.memoryRatios) {
      const peak = (model: string) => results.models.find((m) => m.dataset === ratio.dataset && m.model === model)!;
      expect(ratio.tensorBytesRatio).toBeCloseTo(peak('lbp-ae').peakTensorBytes.mean / peak('bp-mlp').peakTensorBytes.mean, 12);
      expect(ratio.rssBytesRatio).toBeCloseTo(peak('lbp-ae').peakRssBytes.mean / peak('bp-mlp').peakRssBytes.mean, 12);
      expect(report).toContain(`| ${ratio.dataset} | lbp-ae | bp-mlp | ${ratio.tensorBytesRatio.toFixed(3)} | ${ratio.rssBytesRatio.toFixed(3)} |`);
    }
    expect(report).toContain('## cifar10');
    expect(report).toContain('![cifar10 test accuracy per epoch](accuracy-cifar10.svg)');
  });
});
