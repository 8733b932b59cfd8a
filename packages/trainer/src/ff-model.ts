import {
  ClassifierHead,
  deriveSeed,
  GoodnessCell,
  isGoodnessObjective,
  registry as defaultRegistry,
  rmsNormalize,
  tf,
  type DataShape,
  type GoodnessLossContext,
  type GoodnessObjective,
  type NamedWeights,
  type OptimizerSlot,
  type PartState,
  type Registry,
  type StageBatch,
  type StagedModel,
  type StageRange,
  type StageResult,
  type TrainingUnit,
  type TrainStepContext,
} from '@localbp/core';
import '@localbp/objectives';
import { defaultConvChannels, ffModelConfigSchema, type FfInference, type FfModelConfig, type FfModelConfigInput } from './ff-model-config';
import { describeError, ModelConfigError } from './lbp-model';
import { buildClassifierHead } from './cell-stack';

/**
 * A Forward-Forward network: a stack of goodness-trained layer cells (`ff-dense` or `ff-conv`),
 * each updated only by its own goodness objective on the detached activity of the layer below,
 * plus a linear softmax readout on the normalized activities of layers 2..L of the inference
 * pass. The objective (from the registry) decides what positive and negative data are.
 */
export class FfModel implements StagedModel {
  readonly kind = 'ff';
  readonly separable = true;
  readonly config: FfModelConfig;
  readonly data: DataShape;
  readonly cells: GoodnessCell[];
  readonly head: ClassifierHead;
  readonly objective: GoodnessObjective;
  /** Inference modes evaluated besides `config.inference`. */
  readonly alternativeInference: readonly string[];
  /** Layers whose activities the readout and per-label goodness use: 2..L (layer 1 alone when L = 1). */
  readonly readoutLayers: readonly number[];

  private constructor(config: FfModelConfig, data: DataShape, cells: GoodnessCell[], head: ClassifierHead, readout: number[]) {
    this.config = config;
    this.data = data;
    this.cells = cells;
    this.head = head;
    this.objective = cells[0]!.objective;
    this.readoutLayers = readout;
    const supported = this.supportedInference();
    if (!supported.includes(config.inference)) {
      throw new ModelConfigError(
        `objective "${config.objective}" supports inference ${supported.join(', ')}, not "${config.inference}"`,
      );
    }
    this.alternativeInference = config.evaluateAllInference ? supported.filter((m) => m !== config.inference) : [];
  }

  get units(): TrainingUnit[] {
    return this.cells.map((c, index) => ({ index, id: c.id, type: c.spec.type }));
  }

  /** Validates the config and builds the FF layers (and readout); nothing leaks on failure. */
  static create(input: FfModelConfigInput, data: DataShape, registry: Registry = defaultRegistry): FfModel {
    const config = ffModelConfigSchema.parse(input);
    const probe = registry.get('objective', config.objective)(config.objectiveOptions);
    if (!isGoodnessObjective(probe)) {
      const goodness = registry.ids('objective').filter((id) => isGoodnessObjective(registry.get('objective', id)({})));
      throw new ModelConfigError(
        `objective "${config.objective}" (${probe.kind}) cannot train Forward-Forward layers; goodness objectives: ${goodness.join(', ')}`,
      );
    }
    const conv = probe.layers === 'conv';
    const widths = conv ? (config.channels ?? defaultConvChannels(config.layers)) : Array.from({ length: config.layers }, () => config.width);
    if (conv && probe.classGoodness && widths.some((w) => w % data.numClasses !== 0)) {
      throw new ModelConfigError(
        `objective "${config.objective}" splits channels into ${data.numClasses} class groups: channels ${widths.join(', ')} must be multiples of ${data.numClasses}`,
      );
    }
    const cells: GoodnessCell[] = [];
    try {
      let inputShape: readonly number[] = probe.inputShape(data.imageShape);
      if (conv && inputShape.length !== 3) throw new ModelConfigError(`conv layers need image input, got [${inputShape.join(', ')}]`);
      widths.forEach((width, index) => {
        const id = `layer-${index + 1}`;
        const type = conv ? 'ff-conv' : 'ff-dense';
        let cell;
        try {
          cell = registry.get('cell', type)({
            id,
            index,
            inputShape,
            inputRange: index === 0 ? 'unit' : 'unbounded',
            width,
            objective: config.objective,
            options: { ...config.layerOptions, objectiveOptions: config.objectiveOptions },
            seed: deriveSeed(config.seed, index + 1),
            optimizer: config.optimizer,
            registry,
          });
        } catch (err) {
          throw new ModelConfigError(`${id} (${type}): ${describeError(err)}`);
        }
        if (!(cell instanceof GoodnessCell)) {
          cell.dispose();
          throw new ModelConfigError(`${id}: cell "${type}" is not a goodness cell`);
        }
        cells.push(cell);
        inputShape = cell.latentShape;
      });
      const readout = cells.length === 1 ? [0] : cells.slice(1).map((_, i) => i + 1);
      const features = readout.reduce((n, i) => n + cells[i]!.latentShape.reduce((a, b) => a * b, 1), 0);
      const head = buildClassifierHead({
        inputUnits: features,
        numClasses: data.numClasses,
        config: { hidden: [], activation: 'relu', dropout: 0 },
        optimizer: config.headOptimizer,
        modelSeed: config.seed,
      });
      return new FfModel(config, data, cells, head, readout);
    } catch (err) {
      for (const c of cells) c.dispose();
      throw err;
    }
  }

  /** Which inference modes this objective allows: goodness needs the label in the input or class channel groups. */
  supportedInference(): FfInference[] {
    return this.objective.embedsLabel || this.objective.classGoodness ? ['linear', 'goodness'] : ['linear'];
  }

  /** Activities of every layer for one input (the caller disposes them). */
  private forward(input: tf.Tensor): tf.Tensor[] {
    const activities: tf.Tensor[] = [];
    let x = input;
    for (const cell of this.cells) {
      x = cell.encode(x);
      activities.push(x);
    }
    return activities;
  }

  /** Normalized, flattened activities of layers 2..L of the inference pass: what the readout sees. */
  features(images: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const activities = this.forward(this.objective.inferenceInput(images, this.data.numClasses));
      const parts = this.readoutLayers.map((i) => {
        const a = rmsNormalize(activities[i]!, this.cells[i]!.options.normalization);
        return tf.reshape(a, [a.shape[0]!, -1]) as tf.Tensor2D;
      });
      return parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor2D);
    });
  }

  /**
   * Per-class goodness summed over layers 2..L: one pass per label for label-embedding
   * objectives (each pass its own chunk, so memory stays at one batch), one pass for CwComp.
   */
  goodnessScores(images: tf.Tensor): tf.Tensor2D {
    const classes = this.data.numClasses;
    const objective = this.objective;
    if (objective.classGoodness) {
      return tf.tidy(() => {
        const activities = this.forward(objective.inferenceInput(images, classes));
        return tf.addN(this.readoutLayers.map((i) => objective.classGoodness!(activities[i]!, classes))) as tf.Tensor2D;
      });
    }
    if (!objective.embedsLabel || !objective.labelledInput) {
      throw new Error(`objective "${objective.id}" has no per-label goodness: use the linear readout`);
    }
    const columns: tf.Tensor1D[] = [];
    try {
      for (let label = 0; label < classes; label++) {
        columns.push(
          tf.tidy(() => {
            const activities = this.forward(objective.labelledInput!(images, label, classes));
            return tf.addN(this.readoutLayers.map((i) => objective.goodness(activities[i]!))) as tf.Tensor1D;
          }),
        );
      }
      return tf.stack(columns, 1) as tf.Tensor2D;
    } finally {
      tf.dispose(columns);
    }
  }

  predictLogits(images: tf.Tensor, mode?: string): tf.Tensor2D {
    const inference = mode ?? this.config.inference;
    if (inference === 'goodness') return this.goodnessScores(images);
    if (inference !== 'linear') throw new Error(`unknown FF inference mode "${inference}"; use linear or goodness`);
    return tf.tidy(() => this.head.logits(this.features(images)));
  }

  /**
   * One mini-batch: the objective builds positive and negative data as one tensor (one matmul
   * per layer for both); each layer in `context.units` takes a local goodness step on the
   * detached activity of the layer below; then the readout trains on the neutral pass.
   */
  async trainBatch(xs: tf.Tensor, ys: tf.Tensor1D, context: TrainStepContext): Promise<Record<string, number>> {
    const scalars: Array<[string, tf.Scalar]> = [];
    try {
      if (context.units.length > 0) this.trainLayers(xs, ys, context, scalars);
      if (context.head) {
        const features = this.features(xs);
        context.probe();
        const head = this.head;
        const loss = head.optimizer.minimize(() => head.loss(features, ys, { seed: deriveSeed(this.config.seed, 1001, context.step) }), true, head.variables());
        features.dispose();
        if (loss) scalars.push(['loss/head', loss]);
      }
      context.probe();
      if (scalars.length === 0) return {};
      // One read for every scalar: each read is a sync with the backend.
      const packed = tf.stack(scalars.map(([, t]) => t));
      const data = await packed.data();
      packed.dispose();
      return Object.fromEntries(scalars.map(([key], i) => [key, data[i]!]));
    } finally {
      for (const [, t] of scalars) t.dispose();
    }
  }

  private trainLayers(xs: tf.Tensor, ys: tf.Tensor1D, context: TrainStepContext, scalars: Array<[string, tf.Scalar]>): void {
    const training = new Set(context.units);
    const last = Math.max(...context.units);
    const hard = this.config.negatives === 'hard' && this.objective.embedsLabel;
    const classScores = hard ? this.goodnessScores(xs) : undefined;
    const batch = this.trainingInput(xs, ys, context.step, classScores);
    classScores?.dispose();
    let input = batch.input;
    try {
      for (let i = 0; i <= last; i++) {
        const activity = training.has(i) ? this.updateLayer(i, input, batch.positives, ys, context, scalars) : this.cells[i]!.encode(input);
        input.dispose();
        input = activity;
        context.probe();
      }
    } finally {
      input.dispose();
    }
  }

  private trainingInput(xs: tf.Tensor, ys: tf.Tensor1D, step: number, classScores?: tf.Tensor2D) {
    return this.objective.trainingInput(xs, ys, {
      seed: deriveSeed(this.config.seed, 31, step),
      numClasses: this.data.numClasses,
      ...(classScores ? { classScores } : {}),
    });
  }

  /** One local goodness step of layer `i` on the detached positive + negative activity below; returns its activity. */
  private updateLayer(i: number, input: tf.Tensor, positives: number, ys: tf.Tensor1D, context: TrainStepContext, scalars: Array<[string, tf.Scalar]>): tf.Tensor {
    const cell = this.cells[i]!;
    let emitted: tf.Tensor | null = null;
    const lossContext: GoodnessLossContext = {
      step: context.step,
      positives,
      labels: ys,
      numClasses: this.data.numClasses,
      emitLatent: (latent) => {
        if (emitted === null) emitted = tf.keep(latent);
      },
      probe: () => context.probe(),
    };
    const update = cell.updates()[0]!;
    const loss = update.optimizer.minimize(() => update.loss(input, lossContext), true, update.variables());
    if (loss) scalars.push([`loss/${cell.id}`, loss]);
    const activity = emitted ?? cell.encode(input);
    const summary = this.objective.goodnessSummary(activity, lossContext);
    scalars.push([`goodness/pos/${cell.id}`, summary.positive], [`goodness/neg/${cell.id}`, summary.negative]);
    return activity;
  }

  /** Hard negatives come from the whole network's per-label goodness: every layer must be in one place. */
  canStage(): boolean {
    return !(this.config.negatives === 'hard' && this.objective.embedsLabel);
  }

  /**
   * Layers `range.first..range.last` of one step in a pipeline: the first stage builds the positive +
   * negative input and the neutral input from the images; each layer takes its goodness step, then runs
   * the neutral pass with its updated weights (what `features` sees after a whole step); the last stage
   * trains the readout on the readout layers' normalized neutral activities. Carried between stages:
   * `neutral` (the neutral-pass activity) and `positives` (how many rows of `input` are positive).
   */
  async trainStage(range: StageRange, batch: StageBatch, context: TrainStepContext): Promise<StageResult> {
    if (!this.canStage()) throw new Error('an FF model with hard negatives trains in one piece: it cannot be split into stages');
    if (!batch.ys) throw new Error('trainStage: FF layers need the labels of the batch');
    const ys = batch.ys;
    const scalars: Array<[string, tf.Scalar]> = [];
    const readouts: tf.Tensor2D[] = [];
    const training = new Set(context.units);
    let input: tf.Tensor;
    let neutral: tf.Tensor;
    let positives: number;
    if (range.first === 0) {
      const built = this.trainingInput(batch.input, ys, context.step);
      input = built.input;
      positives = built.positives;
      neutral = this.objective.inferenceInput(batch.input, this.data.numClasses);
    } else {
      const carriedNeutral = batch.carried?.['neutral'];
      const carriedPositives = batch.carried?.['positives'];
      if (!carriedNeutral || !carriedPositives) throw new Error('trainStage: an FF stage above the first needs the carried neutral activity and positive count');
      input = tf.clone(batch.input);
      neutral = tf.clone(carriedNeutral);
      positives = carriedPositives.dataSync()[0]!;
    }
    try {
      for (let i = range.first; i <= range.last; i++) {
        const cell = this.cells[i]!;
        const activity = training.has(i) ? this.updateLayer(i, input, positives, ys, context, scalars) : cell.encode(input);
        input.dispose();
        input = activity;
        const nextNeutral = cell.encode(neutral);
        neutral.dispose();
        neutral = nextNeutral;
        if (this.readoutLayers.includes(i)) {
          readouts.push(
            tf.tidy(() => {
              const a = rmsNormalize(neutral, cell.options.normalization);
              return tf.reshape(a, [a.shape[0]!, -1]) as tf.Tensor2D;
            }),
          );
        }
        context.probe();
      }
      let result: StageResult;
      if (range.head) {
        const all = [...(batch.readouts ?? []), ...readouts];
        const features = all.length === 1 ? all[0]! : tf.concat(all, 1);
        const head = this.head;
        const loss = head.optimizer.minimize(() => head.loss(features, ys, { seed: deriveSeed(this.config.seed, 1001, context.step) }), true, head.variables());
        if (!batch.readouts.includes(features)) features.dispose();
        if (loss) scalars.push(['loss/head', loss]);
        for (const r of readouts) r.dispose();
        result = { losses: {}, readouts: [] };
      } else {
        result = { losses: {}, readouts: [...readouts], output: input, carried: { neutral, positives: tf.scalar(positives, 'int32') } };
        input = tf.scalar(0);
        neutral = tf.scalar(0);
      }
      readouts.length = 0;
      context.probe();
      if (scalars.length > 0) {
        const packed = tf.stack(scalars.map(([, t]) => t));
        const data = await packed.data();
        packed.dispose();
        result.losses = Object.fromEntries(scalars.map(([key], i) => [key, data[i]!]));
      }
      return result;
    } finally {
      input.dispose();
      neutral.dispose();
      for (const r of readouts) r.dispose();
      for (const [, t] of scalars) t.dispose();
    }
  }

  /** Layer `part`'s weights and optimizer, or the readout's for `part === cells.length`. */
  partState(part: number): PartState {
    if (part === this.cells.length) {
      return { weights: this.head.namedWeights(), slots: [{ owner: 'head', optimizer: this.head.optimizer, variables: () => this.head.variables() }] };
    }
    const cell = this.cells[part];
    if (!cell) throw new RangeError(`part ${part} does not exist: the model has ${this.cells.length} layers and a readout`);
    const u = cell.updates()[0]!;
    return { weights: cell.namedWeights(), slots: [{ owner: `${cell.id}/${u.name}`, optimizer: u.optimizer, variables: () => u.variables() }] };
  }

  optimizerSlots(): OptimizerSlot[] {
    return Array.from({ length: this.cells.length + 1 }, (_, part) => this.partState(part).slots).flat();
  }

  namedWeights(): NamedWeights {
    return [...this.cells.flatMap((c) => c.namedWeights()), ...this.head.namedWeights()];
  }

  dispose(): void {
    for (const c of this.cells) c.dispose();
    this.head.dispose();
  }
}
