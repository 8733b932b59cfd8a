import { describe, expect, it } from 'vitest';
import { EXPERIMENT_MODELS, experimentModel, missingRegistrations } from './experiment-models';
import { gridCells } from './experiment-plan';

describe('experiment models', () => {
  it('maps every model id of the comparison to train flags', () => {
    expect(EXPERIMENT_MODELS.map((m) => m.id)).toEqual([
      'lbp-ae', 'lbp-dae', 'lbp-cae', 'lbp-gan', 'bp-mlp', 'bp-cnn', 'ff', 'ff-symba', 'ff-hybrid', 'ff-scff', 'ff-cwcomp',
    ]);
    expect(experimentModel('lbp-cae')!.trainArgs).toEqual(['--model', 'lbp', '--cells', 'cae,cae,cae']);
    expect(experimentModel('ff-symba')!.trainArgs).toEqual(['--model', 'ff', '--objective', 'symba']);
  });

  it('says which registration a model lacks', () => {
    const registered = { model: ['lbp'], cell: ['ae', 'dae'], objective: ['mse'] };
    expect(missingRegistrations(experimentModel('lbp-ae')!, registered)).toBeNull();
    expect(missingRegistrations(experimentModel('lbp-gan')!, registered)).toMatch(/unknown cell "gan"/);
    expect(missingRegistrations(experimentModel('bp-cnn')!, registered)).toMatch(/model family "bp" is not registered/);
    expect(missingRegistrations(experimentModel('bp-cnn')!, { ...registered, model: ['lbp', 'bp'] })).toMatch(/unknown cell "cae"/);
    expect(missingRegistrations(experimentModel('ff-scff')!, { ...registered, model: ['lbp', 'ff'] })).toMatch(/unknown objective "scff"/);
  });

  it('lays the grid out seed by seed with one directory and one train command per run', () => {
    const cells = gridCells({ datasets: ['mnist', 'cifar10'], models: ['lbp-ae', 'bp-cnn'], seeds: 2, epochs: 3, trainLimit: 50, dataDirs: { cifar10: '/data/c' } });
    expect(cells.map((c) => c.dir)).toEqual([
      'mnist/lbp-ae/seed-1', 'mnist/bp-cnn/seed-1', 'mnist/lbp-ae/seed-2', 'mnist/bp-cnn/seed-2',
      'cifar10/lbp-ae/seed-1', 'cifar10/bp-cnn/seed-1', 'cifar10/lbp-ae/seed-2', 'cifar10/bp-cnn/seed-2',
    ]);
    expect(cells[0]!.trainArgs).toEqual(['train', '--dataset', 'mnist', '--model', 'lbp', '--cells', 'ae,ae,ae', '--seed', '1', '--epochs', '3', '--train-limit', '50']);
    expect(cells[7]!.trainArgs).toEqual(['train', '--dataset', 'cifar10', '--model', 'bp-cnn', '--seed', '2', '--epochs', '3', '--train-limit', '50', '--data-dir', '/data/c']);
  });
});
