import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, STACK_LINE, tempDir } from './cli-test-helpers';

const tmp = tempDir('experiment');
afterAll(tmp.cleanup);

const out = path.join(tmp.dir, 'grid');
const GRID = ['experiment', '--models', 'lbp-ae,lbp-dae', '--seeds', '2', '--epochs', '1', '--train-limit', '300', '--test-limit', '200', '--width', '32', '--out', out];
const RUN_DIRS = ['mnist/lbp-ae/seed-1', 'mnist/lbp-dae/seed-1', 'mnist/lbp-ae/seed-2', 'mnist/lbp-dae/seed-2'];

interface Summary {
  testAccuracy: number;
  epochAccuracy: number[];
  peakTensorBytes: number;
  peakRssBytes: number;
  seed: number;
  trainExamples: number;
}
interface Spread {
  n: number;
  mean: number;
  std: number;
}
interface Results {
  results: { models: Array<{ model: string; seeds: number[]; finalAccuracy: Spread; bestAccuracy: Spread; peakTensorBytes: Spread; peakRssBytes: Spread }> };
  runs: Array<{ dir: string }>;
  missing: unknown[];
  environment: { backends: string[]; command: string };
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) };
}

describe('localbp experiment: a real grid of child `localbp train` runs', () => {
  it('trains every (model, seed) in its own directory and writes report.md, results.json and an SVG figure', async () => {
    const res = await runCli(GRID);
    expect(res.code, res.stderr).toBe(0);
    for (const dir of RUN_DIRS) {
      const summary = readJson<{ status: string; trainExamples: number; testExamples: number }>(path.join(out, dir, 'summary.json'));
      expect(summary).toMatchObject({ status: 'completed', trainExamples: 300, testExamples: 200 });
      expect(readFileSync(path.join(out, dir, 'train.log'), 'utf8')).toContain('phase 1');
    }
    expect(res.stderr).toMatch(/\[4\/4\] mnist lbp-dae seed 2: done in \d+ s, test accuracy/);
    const svg = readFileSync(path.join(out, 'accuracy-mnist.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('lbp-ae (n=2)');
    expect(svg).toContain('lbp-dae (n=2)');
  });

  it('aggregates final and best accuracy (mean ± sample std) and memory from the per-run summaries', () => {
    const results = readJson<Results>(path.join(out, 'results.json'));
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(results.missing).toEqual([]);
    expect(results.runs.map((r) => r.dir).sort()).toEqual([...RUN_DIRS].sort());
    for (const model of ['lbp-ae', 'lbp-dae']) {
      const summaries = [1, 2].map((s) => readJson<Summary>(path.join(out, 'mnist', model, `seed-${s}`, 'summary.json')));
      const row = results.results.models.find((m) => m.model === model)!;
      expect(row.seeds).toEqual([1, 2]);
      const final = meanStd(summaries.map((s) => s.testAccuracy));
      expect(row.finalAccuracy.n).toBe(2);
      expect(row.finalAccuracy.mean).toBeCloseTo(final.mean, 12);
      expect(row.finalAccuracy.std).toBeCloseTo(final.std, 12);
      expect(row.bestAccuracy.mean).toBeCloseTo(meanStd(summaries.map((s) => Math.max(...s.epochAccuracy))).mean, 12);
      expect(row.peakTensorBytes.mean).toBeCloseTo(meanStd(summaries.map((s) => s.peakTensorBytes)).mean, 6);
      expect(row.peakRssBytes.mean).toBeCloseTo(meanStd(summaries.map((s) => s.peakRssBytes)).mean, 6);
      const cell = `${(final.mean * 100).toFixed(2)} ± ${(final.std * 100).toFixed(2)}`;
      expect(report).toContain(`| ${model} | 2 | ${cell} |`);
      for (const s of summaries) expect(report).toContain(`| mnist/${model}/seed-${s.seed} | ${(s.testAccuracy * 100).toFixed(2)} | `);
    }
    expect(report).toContain('Complete: all 4 runs');
    expect(report).toContain(`localbp ${GRID.join(' ')}`);
    expect(report).toMatch(new RegExp(`- Backend: ${results.environment.backends[0]}`));
    expect(report).toMatch(/- Machine: .+, \d+ cores, [\d.]+ GiB RAM/);
    expect(report).toMatch(/- Machine load \(1-minute load average when each run started\): mean [\d.]+, range [\d.]+–[\d.]+/);
    expect(report).toMatch(/- Versions: .*tfjs-core 4\.22\.0.*node v20.*localbp \d/);
    expect(report).toContain("## Defaults that are ours, not the papers'");
    expect(report).toContain('512 ReLU units');
    expect(report).toContain('peakTensorBytes');
    expect(report).toContain('sampled every 250 ms');
    expect(report).toContain('![mnist test accuracy per epoch](accuracy-mnist.svg)');
  });

  it('a second invocation reruns nothing: every run is reported complete and no file is rewritten', async () => {
    const mtimes = RUN_DIRS.map((d) => statSync(path.join(out, d, 'summary.json')).mtimeMs);
    const res = await runCli(GRID);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr.match(/already complete, not rerun/g)).toHaveLength(4);
    expect(res.stderr).not.toMatch(/: training: localbp/);
    expect(RUN_DIRS.map((d) => statSync(path.join(out, d, 'summary.json')).mtimeMs)).toEqual(mtimes);
  });

  it('adding a seed runs only the new runs', async () => {
    const res = await runCli(GRID.map((a, i) => (GRID[i - 1] === '--seeds' ? '3' : a)));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr.match(/already complete, not rerun/g)).toHaveLength(4);
    expect(res.stderr.match(/: training: localbp/g)).toHaveLength(2);
    expect(existsSync(path.join(out, 'mnist/lbp-dae/seed-3/summary.json'))).toBe(true);
  });

  it('--report-only trains nothing and reports what is missing', async () => {
    const res = await runCli([...GRID.map((a, i) => (GRID[i - 1] === '--seeds' ? '4' : a)), '--report-only', '--note', 'subset run']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/: training: localbp/);
    expect(existsSync(path.join(out, 'mnist/lbp-ae/seed-4'))).toBe(false);
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('**Partial: 6 of 8 runs finished**');
    expect(report).toContain('- mnist/lbp-ae/seed-4: not run yet');
    expect(report).toMatch(/\| lbp-ae \| 3 \| /);
    expect(report).toContain('## Notes\n\n- subset run\n');
    expect(report).toContain(`localbp ${GRID.map((a, i) => (GRID[i - 1] === '--seeds' ? '4' : a)).join(' ')} --note 'subset run'\n`);
  });

  it('refuses to mix runs made with other settings into the same directory (exit 1, nothing rewritten)', async () => {
    const before = readFileSync(path.join(out, 'report.md'), 'utf8');
    const res = await runCli(GRID.map((a, i) => (GRID[i - 1] === '--train-limit' ? '400' : a)));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^localbp: error: .*mnist\/lbp-ae\/seed-1 was trained with other settings .*--train-limit 300/m);
    expect(res.stderr).not.toMatch(STACK_LINE);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toBe(before);
  });
});
