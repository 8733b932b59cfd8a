import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli-test-helpers';

// Every run of the quick preset is its own process on a loaded 2-core machine: minutes, not seconds.
const TIMEOUT_MS = 900_000;
const tmp = tempDir('experiment-preset');
afterAll(tmp.cleanup);

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
/** The real CIFAR-10 binary files, where this checkout has them beside it. */
const CIFAR = [path.join(REPO, '../shared/data/cifar10'), '/work/shared/data/cifar10'].find((d) => existsSync(path.join(d, 'test_batch.bin')));
const out = path.join(tmp.dir, 'quick');
const ARGS = ['experiment', '--preset', 'quick', '--out', out, ...(CIFAR ? ['--data-dir', `cifar10=${CIFAR}`] : [])];

interface Summary {
  testAccuracy: number;
  epochAccuracy: Array<number | null>;
  peakTensorBytes: number;
  peakRssBytes: number;
  backend: string;
  workers?: number;
  roundAccuracy?: Array<number | null>;
}
const summary = (dir: string) => JSON.parse(readFileSync(path.join(out, dir, 'summary.json'), 'utf8')) as Summary;

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std };
}
const pct = (values: number[]) => {
  const { mean, std } = meanStd(values);
  return `${(mean * 100).toFixed(2)} ± ${(std * 100).toFixed(2)}`;
};
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** The rows of the first Markdown table after `heading`, as arrays of trimmed cells. */
function table(report: string, heading: string): string[][] {
  const from = report.indexOf(`\n${heading}\n`);
  expect(from, `no heading ${heading}`).toBeGreaterThan(-1);
  const lines = report.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith('| '));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((c) => c.trim()));
  }
  return rows;
}

function outputFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(out).filter((n) => /\.(md|json|svg)$/.test(n))) files.set(name, readFileSync(path.join(out, name)));
  return files;
}

describe('localbp experiment --preset quick: every section of the paper report, end to end', () => {
  it('runs the quick grid and writes a report whose tables are the run summaries', async () => {
    const res = await runCli(ARGS);
    expect(res.code, res.stderr).toBe(0);
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    const datasets = CIFAR ? ['mnist', 'fashion-mnist', 'cifar10'] : ['mnist', 'fashion-mnist'];

    // 1. Accuracy: one table per dataset, sorted by final accuracy, each cell the mean ± std of the seeds' summaries.
    for (const dataset of datasets) {
      const rows = table(report, `### ${dataset}`);
      expect(rows.length).toBeGreaterThan(1);
      const finals = rows.map((r) => Number(r[2]!.split(' ± ')[0]));
      expect(finals).toEqual([...finals].sort((a, b) => b - a));
      for (const [model, seeds, final, best, , tensor, , engine, published, gap] of rows) {
        const runs = Array.from({ length: Number(seeds) }, (_, i) => summary(`${dataset}/${model}/seed-${i + 1}`));
        expect(final).toBe(pct(runs.map((s) => s.testAccuracy)));
        expect(best!.split(' (')[0]).toBe(pct(runs.map((s) => Math.max(...s.epochAccuracy.filter((a): a is number => a !== null)))));
        expect(tensor).toBe(mib(meanStd(runs.map((s) => s.peakTensorBytes)).mean));
        expect(engine).toBe(`${runs[0]!.backend} ×${[...new Set(runs.map((s) => s.workers!))].sort((a, b) => a - b).join('/')}`);
        if (published !== '—') expect(Number(gap)).toBeCloseTo(Number(final!.split(' ± ')[0]) - Number(published), 1);
      }
    }
    if (!CIFAR) expect(report).toContain('- cifar10/lbp-ae/seed-1: no cifar10 files given (--data-dir cifar10=DIR)');
    expect(table(report, '### mnist').find((r) => r[0] === 'lbp-ae')![8]).toBe('93.40');

    // 2. Separate schedule beside the simultaneous runs of section 1.
    for (const [model, , simultaneous, separate, drop] of table(report, '## 2. Stability: separate schedule')) {
      const sim = summary(`mnist/${model}/seed-1`).testAccuracy;
      const sep = summary(`mnist-separate/${model}/seed-1`).testAccuracy;
      expect([simultaneous, separate]).toEqual([pct([sim]), pct([sep])]);
      expect(Number(drop)).toBeCloseTo((sim - sep) * 100, 1);
    }

    // 3. Memory vs depth: every depth of the pair, saving = 1 − LBP / BP.
    const memory = table(report, '## 3. Memory vs depth');
    expect(memory.map((r) => r.slice(0, 3))).toEqual([['lbp-cae', 'bp-cnn', '2'], ['lbp-cae', 'bp-cnn', '3']]);
    for (const [lbp, bp, depth, lbpMib, bpMib, saving] of memory) {
      const [l, b] = [summary(`memory-depth/${lbp}/depth-${depth}`), summary(`memory-depth/${bp}/depth-${depth}`)];
      expect([lbpMib, bpMib]).toEqual([mib(l.peakTensorBytes), mib(b.peakTensorBytes)]);
      expect(saving).toBe(((1 - l.peakTensorBytes / b.peakTensorBytes) * 100).toFixed(2));
      expect(l.workers).toBe(1);
    }

    // 4. Federated: accuracy per round from the simulation's summary, beside its centralized twin.
    const federated = table(report, '## 4. Federated');
    expect(federated.map((r) => [r[0], r[1], r[5]])).toEqual([
      ['lbp-ae', 'dirichlet:0.5', 'centralized'],
      ['ff', 'dirichlet:0.5', 'centralized'],
      ['lbp-ae', 'cell-distributed', 'centralized-separate'],
    ]);
    for (const [model, setting, , final, rounds, twin, twinFinal] of federated) {
      const sim = summary(`federated/${model}/${setting!.replace(':', '-')}/seed-1`);
      expect(final).toBe(pct([sim.testAccuracy]));
      expect(rounds).toBe(sim.roundAccuracy!.map((a) => (a === null ? '—' : (a * 100).toFixed(2))).join(', '));
      expect(twinFinal).toBe(pct([summary(`federated/${model}/${twin}/seed-1`).testAccuracy]));
    }

    // Claims: a computed verdict for each of the four, the same as results.json holds.
    const { claims } = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { claims: Array<{ verdict: string; evidence: string[] }> };
    expect(claims).toHaveLength(4);
    const verdicts = [...report.matchAll(/^\*\*Verdict: (.+)\.\*\*$/gm)].map((m) => m[1]);
    expect(verdicts).toEqual(claims.map((c) => c.verdict));
    // The quick preset has a run for every comparison of every claim: none is left untested.
    for (const c of claims) {
      expect(c.verdict).toMatch(/^(confirmed|confirmed with a caveat|not confirmed)$/);
      expect(c.evidence.filter((e) => e.startsWith('…'))).toEqual([]);
    }
    const top = memory.reduce((a, b) => (Number(b[5]) > Number(a[5]) ? b : a));
    expect(claims[2]!.evidence[0]).toContain(`${top[5]}% at depth ${top[2]}`);

    for (const figure of ['accuracy-mnist', 'final-mnist', 'memory-depth', 'federated']) {
      expect(readFileSync(path.join(out, `${figure}.svg`), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(report).toContain(`(${figure}.svg)`);
    }
    expect(report).toContain("## Defaults that are ours, not the papers'");
  }, TIMEOUT_MS);

  it('--report-only trains nothing and rewrites report.md, results.json and the figures byte for byte', async () => {
    const before = outputFiles();
    expect([...before.keys()]).toEqual(expect.arrayContaining(['report.md', 'results.json', 'memory-depth.svg', 'federated.svg']));
    const res = await runCli([...ARGS, '--report-only']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/: (training|simulating): localbp/);
    const after = outputFiles();
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, bytes] of before) expect(after.get(name)!.equals(bytes), name).toBe(true);
  }, TIMEOUT_MS);

  it('--sections trains only the sections named, and the report lists the rest as not run yet', async () => {
    const only = path.join(tmp.dir, 'sections');
    const res = await runCli(['experiment', '--preset', 'quick', '--sections', 'memory-depth', '--out', only]);
    expect(res.code, res.stderr).toBe(0);
    const trained = readdirSync(only, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('summary.json'));
    expect(trained.length).toBeGreaterThan(0);
    expect(trained.every((f) => f.startsWith('memory-depth'))).toBe(true);
    const report = readFileSync(path.join(only, 'report.md'), 'utf8');
    expect(report).toMatch(/mnist\/lbp-ae\/seed-1.*not run yet/);
  }, TIMEOUT_MS);

  it('--datasets and --models with a preset train only its runs on those datasets of those models', async () => {
    const only = path.join(tmp.dir, 'chosen');
    const res = await runCli(['experiment', '--preset', 'quick', '--sections', 'accuracy', '--datasets', 'fashion-mnist', '--models', 'lbp-ae', '--out', only]);
    expect(res.code, res.stderr).toBe(0);
    const trained = readdirSync(only, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('summary.json'));
    expect(trained).toEqual([path.join('fashion-mnist', 'lbp-ae', 'seed-1', 'summary.json')]);
    const report = readFileSync(path.join(only, 'report.md'), 'utf8');
    expect(report).toMatch(/fashion-mnist\/lbp-cae\/seed-1.*not run yet/);
  }, TIMEOUT_MS);

  it('refuses grid flags beside a preset, an unknown preset, and a grid without --out', async () => {
    const mixed = await runCli(['experiment', '--preset', 'quick', '--seeds', '2', '--epochs', '3', '--out', out]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--preset quick sets the whole plan; drop --seeds, --epochs/);
    const stranger = await runCli(['experiment', '--preset', 'quick', '--models', 'lbp-ae,ff-symba', '--out', out]);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/--models with --preset quick: "ff-symba" is not in the preset; it has lbp-ae, /);
    const strangeData = await runCli(['experiment', '--preset', 'quick', '--datasets', 'kmnist', '--out', out]);
    expect(strangeData.code).toBe(2);
    expect(strangeData.stderr).toMatch(/--datasets with --preset quick: "kmnist" is not in the preset; it has mnist, fashion-mnist, cifar10/);
    const unknown = await runCli(['experiment', '--preset', 'huge', '--out', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown preset "huge"; choose from: paper, quick/);
    const badSection = await runCli(['experiment', '--preset', 'quick', '--sections', 'memory-depth,speed', '--out', out]);
    expect(badSection.code).toBe(2);
    expect(badSection.stderr).toMatch(/--sections: unknown section "speed"; choose from: accuracy, separate, memory-depth, federated/);
    const gridSections = await runCli(['experiment', '--models', 'lbp-ae', '--sections', 'accuracy', '--out', out]);
    expect(gridSections.code).toBe(2);
    expect(gridSections.stderr).toMatch(/--sections needs --preset/);
    const noOut = await runCli(['experiment', '--models', 'lbp-ae']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/required option '--out <dir>' not specified \(or give --preset\)/);
  }, TIMEOUT_MS);
});
