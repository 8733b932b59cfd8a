import { experimentModel, type ExperimentModel } from './experiment-models';
import type { GridCell } from './experiment-plan';
import type { PaperPreset } from './paper-preset';
import type { CellJob } from './run-cells';

/** The report section a run belongs to. */
/** The sections of a paper preset, in report order. */
export const PAPER_SECTIONS = ['accuracy', 'separate', 'memory-depth', 'federated'] as const;
export type PaperSection = (typeof PAPER_SECTIONS)[number];

/** One run of the paper preset: a grid cell plus what the report groups it by. */
export interface PaperCell extends GridCell {
  section: PaperSection;
  /** Memory-depth runs: cells in the stack. */
  depth?: number;
  /**
   * Federated section: `iid`, `dirichlet:A` or `cell-distributed` for simulations; `centralized` (simultaneous) or
   * `centralized-separate` for their twins trained in one process with the same budget.
   */
  setting?: string;
}

/** A paper cell to run, with the epochs its summary must show and why it cannot run, if so. */
export interface PaperJob extends CellJob {
  cell: PaperCell;
}

function model(id: string): ExperimentModel {
  const m = experimentModel(id);
  if (!m) throw new Error(`unknown experiment model "${id}"`);
  return m;
}

/** A model's flags with its stack of `depth` cells of its own kind (`--model bp-cnn --cells cae,cae,cae,cae`). */
export function modelArgsAtDepth(m: ExperimentModel, depth: number): string[] {
  const cell = m.requires.cells?.[0];
  if (!cell || m.family === 'ff') throw new Error(`${m.id} has no cell stack to deepen`);
  const args = [...m.trainArgs];
  const at = args.indexOf('--cells');
  if (at >= 0) args.splice(at, 2);
  return [...args, '--cells', Array.from({ length: depth }, () => cell).join(',')];
}

/** A model's flags for a simulation and its centralized twin; the bp head is named, so both build it the same way. */
function federatedModelArgs(m: ExperimentModel): string[] {
  return m.family === 'bp' ? [...m.trainArgs, '--head-hidden', 'none'] : [...m.trainArgs];
}

const slug = (setting: string) => setting.replace(/:/g, '-');

/**
 * Every run of a preset in run order: accuracy grids dataset by dataset (seed by seed, as the plain grid), then the
 * separate-schedule twins, memory vs depth, and federated runs with their centralized twins. `dataDirs` (dataset →
 * directory) become `--data-dir` data arguments, kept out of the recorded flags.
 */
export function paperJobs(preset: PaperPreset, dataDirs: Readonly<Record<string, string>>): PaperJob[] {
  const jobs: PaperJob[] = [];
  const add = (cell: Omit<PaperCell, 'dataArgs'>, epochs: number) => {
    const dir = dataDirs[cell.dataset];
    const blocked = preset.needsDataDir.includes(cell.dataset) && !dir ? `no ${cell.dataset} files given (--data-dir ${cell.dataset}=DIR)` : undefined;
    jobs.push({ cell: { ...cell, ...(dir ? { dataArgs: ['--data-dir', dir] } : {}) }, epochs, ...(blocked ? { blocked } : {}) });
  };
  const accuracyArgs = (dataset: string, id: string, seed: number) => {
    const grid = preset.accuracy.find((a) => a.dataset === dataset);
    if (!grid) throw new Error(`the preset has no accuracy grid on ${dataset}`);
    // The plain grid's order (gridCells), so its runs are reused: model flags, seed, epochs, shared flags.
    return ['train', '--dataset', dataset, ...model(id).trainArgs, ...(grid.modelArgs[id] ?? []), '--seed', String(seed), '--epochs', String(grid.epochs), ...grid.args];
  };
  for (const grid of preset.accuracy) {
    for (let seed = 1; seed <= grid.seeds; seed++) {
      for (const id of grid.models) {
        add({ section: 'accuracy', dataset: grid.dataset, model: id, seed, dir: `${grid.dataset}/${id}/seed-${seed}`, trainArgs: accuracyArgs(grid.dataset, id, seed) }, grid.epochs);
      }
    }
  }
  const sep = preset.separate;
  const sepEpochs = preset.accuracy.find((a) => a.dataset === sep.dataset)?.epochs ?? 1;
  for (let seed = 1; seed <= sep.seeds; seed++) {
    for (const id of sep.models) {
      add(
        { section: 'separate', dataset: sep.dataset, model: id, seed, dir: `${sep.dataset}-separate/${id}/seed-${seed}`, trainArgs: [...accuracyArgs(sep.dataset, id, seed), '--schedule', 'separate'] },
        sepEpochs,
      );
    }
  }
  const mem = preset.memoryDepth;
  for (const depth of mem.depths) {
    for (const id of mem.pairs.flatMap((p) => [p.lbp, p.bp])) {
      add(
        {
          section: 'memory-depth', dataset: mem.dataset, model: id, seed: 1, depth, dir: `memory-depth/${id}/depth-${depth}`,
          trainArgs: ['train', '--dataset', mem.dataset, ...modelArgsAtDepth(model(id), depth), '--seed', '1', '--epochs', String(mem.epochs), ...mem.args],
        },
        mem.epochs,
      );
    }
  }
  const fed = preset.federated;
  // One pass over the data per round in both: every client trains one local epoch on its shard.
  const centralized = (id: string, seed: number) => [
    'train', '--dataset', fed.dataset, ...federatedModelArgs(model(id)), '--seed', String(seed), '--epochs', String(fed.rounds),
    // Federated clients train each round at a constant rate without augmentation; so do their twins.
    '--lr-schedule', 'constant', '--augment', 'none', ...fed.args,
  ];
  const simulate = (id: string, seed: number, setting: string) => [
    'federate', 'simulate', '--dataset', fed.dataset, ...federatedModelArgs(model(id)), '--seed', String(seed),
    '--clients', String(fed.clients), '--rounds', String(fed.rounds),
    ...(setting === 'cell-distributed' ? ['--mode', 'cell-distributed'] : ['--partition', setting]),
    ...fed.args, ...fed.federateArgs,
  ];
  for (let seed = 1; seed <= fed.seeds; seed++) {
    // Cell-distributed first: it alone answers claim 4 (layers trained apart, then combined).
    for (const id of fed.cellDistributed) {
      const base = { section: 'federated' as const, dataset: fed.dataset, model: id, seed };
      add({ ...base, kind: 'federate', setting: 'cell-distributed', dir: `federated/${id}/cell-distributed/seed-${seed}`, trainArgs: simulate(id, seed, 'cell-distributed') }, fed.rounds);
      add(
        { ...base, setting: 'centralized-separate', dir: `federated/${id}/centralized-separate/seed-${seed}`, trainArgs: [...centralized(id, seed), '--schedule', 'separate'] },
        fed.rounds,
      );
    }
    for (const id of fed.models) {
      const base = { section: 'federated' as const, dataset: fed.dataset, model: id, seed };
      for (const setting of fed.partitions) {
        add({ ...base, kind: 'federate', setting, dir: `federated/${id}/${slug(setting)}/seed-${seed}`, trainArgs: simulate(id, seed, setting) }, fed.rounds);
      }
      add({ ...base, setting: 'centralized', dir: `federated/${id}/centralized/seed-${seed}`, trainArgs: centralized(id, seed) }, fed.rounds);
    }
  }
  return jobs;
}
