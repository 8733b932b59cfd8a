import { ClassifierHead, deriveSeed, tf, type Cell, type ClassifierHeadConfig, type DataShape, type OptimizerConfig, type Registry } from '@localbp/core';
import { describeError, ModelConfigError } from './model-config-error';
import type { CellSpecInput } from './training-config';

/** Latent width of cells that have no default of their own, when neither the cell nor the model sets one (ours: 1000). */
export const DEFAULT_CELL_WIDTH = 1000;

/** What a stack of cells is built from: shared by LBP models and the BP baselines. */
export interface CellStackConfig {
  cells: ReadonlyArray<CellSpecInput & { options: Readonly<Record<string, unknown>> }>;
  width?: number | undefined;
  seed: number;
  optimizer: OptimizerConfig;
}

/**
 * Builds cells through the registry, each on the latent shape of the one below; a cell that
 * cannot take that shape is a `ModelConfigError` naming it. Disposes what it built on failure.
 */
export function buildCellStack(config: CellStackConfig, data: DataShape, registry: Registry): Cell[] {
  const cells: Cell[] = [];
  try {
    let inputShape: readonly number[] = data.imageShape;
    config.cells.forEach((spec, index) => {
      const factory = registry.get('cell', spec.type);
      const id = `cell-${index + 1}`;
      let cell: Cell;
      try {
        cell = factory({
          id,
          index,
          inputShape,
          inputRange: index === 0 ? 'unit' : 'unbounded',
          width: spec.width ?? config.width ?? DEFAULT_CELL_WIDTH,
          widthExplicit: (spec.width ?? config.width) !== undefined,
          ...(spec.objective !== undefined ? { objective: spec.objective } : {}),
          options: spec.options,
          seed: deriveSeed(config.seed, index + 1),
          optimizer: config.optimizer,
          registry,
        });
      } catch (err) {
        throw new ModelConfigError(`${id} (${spec.type}): ${describeError(err)}`);
      }
      cells.push(cell);
      if (cell.inputShape.join('x') !== inputShape.join('x')) {
        throw new ModelConfigError(
          `${id} (${spec.type}) expects input [${cell.inputShape.join(', ')}] but receives [${inputShape.join(', ')}]`,
        );
      }
      inputShape = cell.latentShape;
    });
    return cells;
  } catch (err) {
    for (const c of cells) c.dispose();
    throw err;
  }
}

/** How many features the classifier reads from a cell's latent. */
export function readoutSize(cell: Cell): number {
  return cell.readout ? cell.readoutSize! : cell.latentShape.reduce((a, b) => a * b, 1);
}

/** The classifier's view of a latent: the cell's own readout, or the flattened latent. */
export function readoutOf(cell: Cell, latent: tf.Tensor): tf.Tensor2D {
  return cell.readout ? cell.readout(latent) : tf.reshape(latent, [latent.shape[0]!, -1]);
}

/** The classifier on top of a stack, seeded from the model's seed the same way in every model family. */
export function buildClassifierHead(options: {
  inputUnits: number;
  numClasses: number;
  config: ClassifierHeadConfig;
  optimizer: OptimizerConfig;
  modelSeed: number;
}): ClassifierHead {
  const { modelSeed, ...rest } = options;
  return new ClassifierHead({ ...rest, seed: deriveSeed(modelSeed, 1000) });
}

/** Finishes a model over freshly built cells; if that throws, the cells are freed before the error goes on. */
export function disposeOnFailure<T>(cells: readonly Cell[], finish: () => T): T {
  try {
    return finish();
  } catch (err) {
    for (const c of cells) c.dispose();
    throw err;
  }
}
