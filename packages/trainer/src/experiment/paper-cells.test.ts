import { describe, expect, it } from 'vitest';
import { EXPERIMENT_MODELS } from './experiment-models';
import { gridCells } from './experiment-plan';
import { modelArgsAtDepth, paperJobs } from './paper-cells';
import { experimentModel } from './experiment-models';
import { PAPER_PRESETS } from './paper-preset';

const paper = PAPER_PRESETS.paper!;
const ALL = EXPERIMENT_MODELS.map((m) => m.id);

describe('paper preset runs', () => {
  const jobs = paperJobs(paper, { cifar10: '/data/cifar10' });
  const byDir = new Map(jobs.map((j) => [j.cell.dir, j]));

  it('lays MNIST and Fashion-MNIST out exactly as `experiment --models <all> --seeds 3 --epochs 5`, so those runs are reused', () => {
    for (const dataset of ['mnist', 'fashion-mnist']) {
      const grid = gridCells({ datasets: [dataset], models: ALL, seeds: 3, epochs: 5, dataDirs: {} });
      const mine = jobs.filter((j) => j.cell.section === 'accuracy' && j.cell.dataset === dataset);
      expect(mine.map((j) => [j.cell.dir, j.cell.trainArgs])).toEqual(grid.map((c) => [c.dir, c.trainArgs]));
      expect(mine.every((j) => j.epochs === 5 && !j.blocked && j.cell.dataArgs === undefined)).toBe(true);
    }
    expect(byDir.get('mnist/lbp-dae/seed-1')!.cell.trainArgs).toEqual(['train', '--dataset', 'mnist', '--model', 'lbp', '--cells', 'dae,dae,dae', '--seed', '1', '--epochs', '5']);
  });

  it('keeps the CIFAR-10 directory out of the recorded flags, and reports those runs blocked without it', () => {
    const bpMlp = byDir.get('cifar10/bp-mlp/seed-2')!;
    expect(bpMlp.cell.trainArgs).toEqual(['train', '--dataset', 'cifar10', '--model', 'bp-mlp', '--lr', '0.0001', '--seed', '2', '--epochs', '10']);
    expect(bpMlp.cell.dataArgs).toEqual(['--data-dir', '/data/cifar10']);
    const without = paperJobs(paper, {}).filter((j) => j.cell.dataset === 'cifar10');
    expect(without).toHaveLength(15);
    expect(without.every((j) => j.blocked === 'no cifar10 files given (--data-dir cifar10=DIR)')).toBe(true);
  });

  it('makes each separate-schedule run the twin of an accuracy run, in its own directory', () => {
    const twin = byDir.get('mnist-separate/ff/seed-3')!;
    expect(twin.cell.trainArgs).toEqual([...byDir.get('mnist/ff/seed-3')!.cell.trainArgs, '--schedule', 'separate']);
    expect(jobs.filter((j) => j.cell.section === 'separate')).toHaveLength(4 * 3);
  });

  it('deepens the same encoders for the memory runs: one LBP/BP pair per depth, on one thread', () => {
    expect(modelArgsAtDepth(experimentModel('bp-cnn')!, 4)).toEqual(['--model', 'bp-cnn', '--cells', 'cae,cae,cae,cae']);
    expect(modelArgsAtDepth(experimentModel('lbp-ae')!, 2)).toEqual(['--model', 'lbp', '--cells', 'ae,ae']);
    expect(() => modelArgsAtDepth(experimentModel('ff')!, 2)).toThrow(/no cell stack/);
    const mem = jobs.filter((j) => j.cell.section === 'memory-depth');
    expect(mem).toHaveLength(7 * 4);
    expect(byDir.get('memory-depth/lbp-cae/depth-8')!.cell.trainArgs).toEqual([
      'train', '--dataset', 'mnist', '--model', 'lbp', '--cells', 'cae,cae,cae,cae,cae,cae,cae,cae', '--seed', '1', '--epochs', '1',
      '--train-limit', '2048', '--test-limit', '1000', '--workers', '1',
    ]);
  });

  it('runs each federated setting beside a centralized twin with one epoch per round', () => {
    const sim = byDir.get('federated/bp-mlp/dirichlet-0.5/seed-1')!;
    expect(sim.cell).toMatchObject({ kind: 'federate', setting: 'dirichlet:0.5' });
    expect(sim.cell.trainArgs).toEqual([
      'federate', 'simulate', '--dataset', 'mnist', '--model', 'bp-mlp', '--head-hidden', 'none', '--seed', '1', '--clients', '10', '--rounds', '10', '--partition', 'dirichlet:0.5',
    ]);
    expect(byDir.get('federated/bp-mlp/centralized/seed-1')!.cell.trainArgs).toEqual([
      'train', '--dataset', 'mnist', '--model', 'bp-mlp', '--head-hidden', 'none', '--seed', '1', '--epochs', '10', '--lr-schedule', 'constant', '--augment', 'none',
    ]);
    expect(byDir.get('federated/lbp-ae/cell-distributed/seed-1')!.cell.trainArgs).toContain('cell-distributed');
    expect(byDir.get('federated/lbp-ae/centralized-separate/seed-1')!.cell.trainArgs.slice(-2)).toEqual(['--schedule', 'separate']);
    expect(jobs.filter((j) => j.cell.section === 'federated')).toHaveLength(4 * 3 + 2);
  });

  it('gives every run its own directory', () => {
    expect(new Set(jobs.map((j) => j.cell.dir)).size).toBe(jobs.length);
    expect(new Set(paperJobs(PAPER_PRESETS.quick!, {}).map((j) => j.cell.dir)).size).toBe(paperJobs(PAPER_PRESETS.quick!, {}).length);
  });
});
