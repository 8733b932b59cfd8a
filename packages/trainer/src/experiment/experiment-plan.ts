import { z } from 'zod';
import { experimentModel } from './experiment-models';

/** One experiment: the grid datasets × models × seeds and the `localbp train` settings every cell shares. */
export const experimentPlanSchema = z
  .object({
    datasets: z.array(z.string().min(1)).min(1),
    models: z.array(z.string().min(1)).min(1),
    /** Seeds 1..seeds. */
    seeds: z.number().int().min(1),
    epochs: z.number().int().min(1),
    batchSize: z.number().int().min(1).optional(),
    width: z.number().int().min(1).optional(),
    trainLimit: z.number().int().min(1).optional(),
    testLimit: z.number().int().min(1).optional(),
    backend: z.string().min(1).optional(),
    /** Dataset id → directory of its files (absent: the dataset's built-in source). */
    dataDirs: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** A validated experiment plan: datasets × models × seeds and the shared training options. */
export type ExperimentPlan = z.infer<typeof experimentPlanSchema>;
/** An experiment plan as users write it. */
export type ExperimentPlanInput = z.input<typeof experimentPlanSchema>;

/** One run of the grid: a dataset, a model id and a seed, trained in its own directory. */
export interface GridCell {
  dataset: string;
  model: string;
  seed: number;
  /** Relative to the experiment's output directory. */
  dir: string;
  /**
   * The full `localbp` argument list (`train …`, or `federate simulate …` for kind `federate`), without `--out` and
   * `--json`, which the runner adds. Recorded in the run's directory: a directory made with other arguments is refused.
   */
  trainArgs: string[];
  /** `train` (default) or `federate` (a `localbp federate simulate` run, its JSON summary saved as summary.json). */
  kind?: 'train' | 'federate';
  /**
   * Arguments that say where the data is (`--data-dir …`): passed on, recorded beside trainArgs but not compared, so
   * the same run can be regenerated from another machine's copy of the files.
   */
  dataArgs?: string[];
}

function sharedTrainArgs(plan: ExperimentPlan, dataset: string): string[] {
  const args = ['--epochs', String(plan.epochs)];
  const add = (flag: string, value: number | string | undefined) => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('--batch-size', plan.batchSize);
  add('--width', plan.width);
  add('--train-limit', plan.trainLimit);
  add('--test-limit', plan.testLimit);
  add('--backend', plan.backend);
  add('--data-dir', plan.dataDirs[dataset]);
  return args;
}

/** The grid in run order: dataset by dataset, then seed by seed, so every model has a first seed early. */
export function gridCells(plan: ExperimentPlan): GridCell[] {
  const cells: GridCell[] = [];
  for (const dataset of plan.datasets) {
    for (let seed = 1; seed <= plan.seeds; seed++) {
      for (const id of plan.models) {
        const model = experimentModel(id);
        if (!model) throw new Error(`unknown experiment model "${id}"`);
        cells.push({
          dataset,
          model: id,
          seed,
          dir: `${dataset}/${id}/seed-${seed}`,
          trainArgs: ['train', '--dataset', dataset, ...model.trainArgs, '--seed', String(seed), ...sharedTrainArgs(plan, dataset)],
        });
      }
    }
  }
  return cells;
}
