import {
  ClassifierHead,
  deriveSeed,
  isGenerativeCell,
  measureUnitActivity,
  registry as defaultRegistry,
  tf,
  type Cell,
  type DataShape,
  type LatentStatistics,
  type LocalLossContext,
  type ModelVisualization,
  type NamedWeights,
  type OptimizerSlot,
  type PartState,
  type StageBatch,
  type StagedModel,
  type StageRange,
  type StageResult,
  type Registry,
  type TrainingUnit,
  type TrainStepContext,
  type UnitImages,
} from '@localbp/core';
import '@localbp/objectives';
import { buildCellStack, buildClassifierHead, disposeOnFailure, readoutOf, readoutSize } from './cell-stack';
import { lbpModelConfigSchema, type LbpModelConfig, type LbpModelConfigInput } from './training-config';

export type { DataShape };

import { describeError, ModelConfigError } from './model-config-error';

export { describeError, ModelConfigError };
export { DEFAULT_CELL_WIDTH, readoutOf, readoutSize } from './cell-stack';

/** Runs one part's export, reporting its failure as a configuration problem of that part. */
function exporting<T>(part: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ModelConfigError) throw err;
    throw new ModelConfigError(`${part} cannot be exported: ${describeError(err)}`);
  }
}

/**
 * A stack of cells and a classifier on their concatenated latents. Cells are built through the
 * registry by id, so this class never knows a concrete cell type.
 */
export class LbpModel implements StagedModel {
  readonly kind = 'lbp';
  readonly separable = true;
  readonly config: LbpModelConfig;
  readonly data: DataShape;
  readonly cells: Cell[];
  readonly head: ClassifierHead;

  private constructor(config: LbpModelConfig, data: DataShape, cells: Cell[], head: ClassifierHead) {
    this.config = config;
    this.data = data;
    this.cells = cells;
    this.head = head;
  }

  get units(): TrainingUnit[] {
    return this.cells.map((c, index) => ({ index, id: c.id, type: c.spec.type }));
  }

  /** Validates the config and builds every cell through the registry, then the head; nothing leaks on failure. */
  static create(input: LbpModelConfigInput, data: DataShape, registry: Registry = defaultRegistry): LbpModel {
    const config = lbpModelConfigSchema.parse(input);
    const cells = buildCellStack(config, data, registry);
    return disposeOnFailure(cells, () => {
      const head = buildClassifierHead({
        inputUnits: cells.reduce((sum, c) => sum + readoutSize(c), 0),
        numClasses: data.numClasses,
        config: config.head,
        optimizer: config.headOptimizer,
        modelSeed: config.seed,
      });
      return new LbpModel(config, data, cells, head);
    });
  }

  /** Concatenated readouts of every cell's latent (what the classifier reads). */
  features(images: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      let input: tf.Tensor = images;
      for (const cell of this.cells) {
        const latent = cell.encode(input);
        parts.push(readoutOf(cell, latent));
        input = latent;
      }
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    });
  }

  predictLogits(images: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.head.logits(this.features(images)));
  }

  /**
   * One mini-batch: local updates for the cells in `context.units` (each on the detached latent
   * of the cell below, a fresh leaf, so no gradient crosses cells), then the classifier on the
   * detached concatenation of latents. It is every stage of `trainStage` run in one go.
   */
  async trainBatch(xs: tf.Tensor, ys: tf.Tensor1D, context: TrainStepContext): Promise<Record<string, number>> {
    const last = context.head ? this.cells.length - 1 : Math.max(-1, ...context.units);
    const result = await this.trainStage({ first: 0, last, head: context.head, readouts: false }, { input: xs, readouts: [], ys }, context);
    result.output?.dispose();
    for (const r of result.readouts) r.dispose();
    return result.losses;
  }

  /**
   * Cells `range.first..range.last` on `batch.input`, then (with `range.head`) the classifier on the
   * readouts of every cell, those below this stage first. Latents are disposed as soon as nothing
   * needs them: only one cell's latent (and its activations) is alive at a time.
   */
  async trainStage(range: StageRange, batch: StageBatch, context: TrainStepContext): Promise<StageResult> {
    const lossTensors: Array<[string, tf.Scalar]> = [];
    const training = new Set(context.units);
    const wantReadouts = range.head || range.readouts;
    // What the classifier reads of each latent (often smaller: pooled); the latents themselves die early.
    const readouts: tf.Tensor2D[] = [];
    const inputOf = batch.input;
    let input: tf.Tensor = inputOf;
    try {
      for (let i = range.first; i <= range.last; i++) {
        const cell = this.cells[i]!;
        const latent = training.has(i) ? this.updateCell(cell, input, context, lossTensors) : cell.encode(input);
        if (input !== inputOf) input.dispose();
        input = latent;
        if (wantReadouts) readouts.push(readoutOf(cell, latent));
        context.probe();
      }
      let output: tf.Tensor | undefined;
      if (range.head) {
        if (input !== inputOf) input.dispose();
        input = inputOf;
        if (!batch.ys) throw new Error('trainStage: the stage that trains the classifier needs the labels');
        const all = [...batch.readouts, ...readouts];
        const features = all.length === 1 ? all[0]! : tf.concat(all, 1);
        if (features !== all[0]) for (const r of readouts) r.dispose();
        readouts.length = 0;
        const head = this.head;
        const ys = batch.ys;
        const loss = head.optimizer.minimize(
          () => {
            const l = head.loss(features, ys, { seed: deriveSeed(this.config.seed, 1001, context.step) });
            context.probe();
            return l;
          },
          true,
          head.variables(),
        );
        // A lone readout from the stage below is the caller's to dispose.
        if (!batch.readouts.includes(features)) features.dispose();
        if (loss) lossTensors.push(['loss/head', loss]);
      } else if (input !== inputOf) {
        output = input;
        input = inputOf;
      }
      context.probe();
      const losses: Record<string, number> = {};
      for (const [key, t] of lossTensors) losses[key] = (await t.data())[0]!;
      const result: StageResult = { losses, readouts: [...readouts], ...(output ? { output } : {}) };
      readouts.length = 0;
      return result;
    } finally {
      if (input !== inputOf) input.dispose();
      for (const r of readouts) r.dispose();
      for (const [, t] of lossTensors) t.dispose();
    }
  }

  /** Cell `part`'s weights and update optimizers, or the classifier's for `part === cells.length`. */
  partState(part: number): PartState {
    if (part === this.cells.length) {
      return { weights: this.head.namedWeights(), slots: [{ owner: 'head', optimizer: this.head.optimizer, variables: () => this.head.variables() }] };
    }
    const cell = this.cells[part];
    if (!cell) throw new RangeError(`part ${part} does not exist: the model has ${this.cells.length} cells and a classifier`);
    return {
      weights: cell.namedWeights(),
      slots: cell.updates().map((u) => ({ owner: `${cell.id}/${u.name}`, optimizer: u.optimizer, variables: () => u.variables() })),
    };
  }

  private updateCell(cell: Cell, input: tf.Tensor, step: TrainStepContext, lossTensors: Array<[string, tf.Scalar]>): tf.Tensor {
    let emitted: tf.Tensor | null = null;
    const context: LocalLossContext = {
      step: step.step,
      emitLatent: (latent) => {
        if (emitted === null) emitted = tf.keep(latent);
      },
      probe: () => step.probe(),
    };
    cell.updates().forEach((update, u) => {
      const loss = update.optimizer.minimize(() => update.loss(input, context), true, update.variables());
      if (loss) lossTensors.push([u === 0 ? `loss/${cell.id}` : `loss/${cell.id}/${update.name}`, loss]);
    });
    return emitted ?? cell.encode(input);
  }

  /**
   * Per cell, on a probe batch: input and reconstruction (autoencoder cells), generated samples
   * (cells with `generate`, e.g. GANs) and latent statistics. The caller disposes the tensors.
   */
  visualize(images: tf.Tensor, options: { samples?: number; seed?: number } = {}): ModelVisualization {
    const samples = options.samples ?? 8;
    const out: UnitImages[] = [];
    const latents: LatentStatistics[] = [];
    let input: tf.Tensor = images;
    try {
      for (const [index, cell] of this.cells.entries()) {
        const range = cell.inputRange;
        if (cell.reconstruct) {
          const recon = tf.tidy(() => cell.reconstruct!(input).reshape(input.shape));
          out.push({ unitId: cell.id, kind: 'reconstruction', images: recon, inputs: tf.clone(input), range });
        }
        if (isGenerativeCell(cell)) {
          out.push({ unitId: cell.id, kind: 'samples', images: cell.generate(samples, deriveSeed(options.seed ?? 1, index)), range });
        }
        const latent = cell.encode(input);
        const [mean, variance] = tf.tidy(() => {
          const m = tf.moments(latent);
          return [m.mean, m.variance];
        });
        const [m, v] = [mean, variance].map((t) => {
          const value = t!.dataSync()[0]!;
          t!.dispose();
          return value;
        });
        // Zeros are counted on the ReLU output before the layer norm: after it none are exact.
        const activity = measureUnitActivity(cell, input);
        latents.push({ unitId: cell.id, mean: m!, std: Math.sqrt(v!), ...(activity ? { activity } : {}) });
        if (input !== images) input.dispose();
        input = latent;
      }
    } catch (err) {
      for (const u of out) {
        u.images.dispose();
        u.inputs?.dispose();
      }
      throw err;
    } finally {
      if (input !== images) input.dispose();
    }
    return { images: out, latents };
  }

  /**
   * Encoders and classifier as one standard LayersModel of built-in layers (image → logits): each cell's
   * `toLayers`, latents flattened and concatenated, then the head. Throws for a cell type without `toLayers`.
   */
  toLayersModel(): tf.LayersModel {
    const input = tf.input({ shape: [...this.data.imageShape], name: 'image' });
    const latents: tf.SymbolicTensor[] = [];
    let x: tf.SymbolicTensor = input;
    for (const cell of this.cells) {
      if (cell.readout) {
        throw new ModelConfigError(`${cell.id} (${cell.spec.type}) cannot be exported: the classifier reads it through a readout, which exports do not reproduce`);
      }
      if (!cell.toLayers) {
        throw new ModelConfigError(`${cell.id} (${cell.spec.type}) cannot be exported: its cell type has no toLayers()`);
      }
      x = exporting(`${cell.id} (${cell.spec.type})`, () => cell.toLayers!(x));
      latents.push(x.shape.length > 2 ? (tf.layers.flatten({ name: `${cell.id}_latent_flatten` }).apply(x) as tf.SymbolicTensor) : x);
    }
    const features = latents.length === 1 ? latents[0]! : (tf.layers.concatenate({ axis: -1, name: 'latents' }).apply(latents) as tf.SymbolicTensor);
    const logits = exporting('head', () => this.head.toLayers(features));
    return tf.model({ inputs: input, outputs: logits, name: 'localbp_lbp' });
  }

  /** Every cell update's optimizer and the head's, with the variables each owns. */
  optimizerSlots(): OptimizerSlot[] {
    return Array.from({ length: this.cells.length + 1 }, (_, part) => this.partState(part).slots).flat();
  }

  /** Every trainable weight of cells and head, stably named: the unit of checkpoints. */
  namedWeights(): NamedWeights {
    return [...this.cells.flatMap((c) => c.namedWeights()), ...this.head.namedWeights()];
  }

  /** Trainable parameters of cells and head. */
  parameterCount(): number {
    return this.namedWeights().reduce((n, w) => n + w.tensor.size, 0);
  }

  /** Frees every cell and the head. */
  dispose(): void {
    for (const c of this.cells) c.dispose();
    this.head.dispose();
  }
}
