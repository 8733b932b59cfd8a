import {
  ClassifierHead,
  deriveSeed,
  registry as defaultRegistry,
  tf,
  type Cell,
  type DataShape,
  type NamedWeights,
  type OptimizerSlot,
  type Registry,
  type TrainableModel,
  type TrainingUnit,
  type TrainStepContext,
} from '@localbp/core';
import '@localbp/objectives';
import { bpModelConfigSchema, type BpModelConfig, type BpModelConfigInput } from './bp-model-config';
import { buildCellStack, buildClassifierHead, disposeOnFailure } from './cell-stack';
import { ModelConfigError } from './model-config-error';

/**
 * The baselines LBP is compared with (BP-MLP, BP-CNN): the same encoders as an LBP stack, built
 * through the registry from the same cell ids, with a head on the last latent, trained END TO END
 * by back-propagation with one optimizer. Not separable: gradients cross every cell.
 */
export class BpModel implements TrainableModel {
  readonly kind = 'bp';
  readonly separable = false;
  readonly config: BpModelConfig;
  readonly data: DataShape;
  readonly cells: Cell[];
  readonly head: ClassifierHead;
  /** Encoder weights of every cell, then the head's: all the one optimizer updates. */
  private readonly trained: tf.Variable[];

  private constructor(config: BpModelConfig, data: DataShape, cells: Cell[], head: ClassifierHead) {
    this.config = config;
    this.data = data;
    this.cells = cells;
    this.head = head;
    this.trained = [...this.encoderWeights().map((w) => w.tensor as tf.Variable), ...head.variables()];
  }

  static create(input: BpModelConfigInput, data: DataShape, registry: Registry = defaultRegistry): BpModel {
    const config = bpModelConfigSchema.parse(input);
    const cells = buildCellStack(config, data, registry);
    return disposeOnFailure(cells, () => {
      for (const cell of cells) {
        if (!cell.encoderWeights) {
          throw new ModelConfigError(`${cell.id} (${cell.spec.type}) does not expose its encoder weights: it cannot be a BP encoder`);
        }
      }
      const head = buildClassifierHead({
        inputUnits: cells.at(-1)!.latentShape.reduce((a, b) => a * b, 1),
        numClasses: data.numClasses,
        config: config.head,
        // The head owns THE optimizer: it updates encoders and head together.
        optimizer: config.optimizer,
        modelSeed: config.seed,
      });
      return new BpModel(config, data, cells, head);
    });
  }

  get units(): TrainingUnit[] {
    return this.cells.map((c, index) => ({ index, id: c.id, type: c.spec.type }));
  }

  private encoderWeights(): NamedWeights {
    return this.cells.flatMap((c) => c.encoderWeights!());
  }

  /** Flattened last latent; differentiable end to end. */
  private forward(images: tf.Tensor): tf.Tensor2D {
    let h: tf.Tensor = images;
    for (const cell of this.cells) h = cell.encode(h);
    return tf.reshape(h, [h.shape[0]!, -1]);
  }

  predictLogits(images: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.head.logits(this.forward(images)));
  }

  /** One end-to-end step; `context.units` and `context.head` are moot (everything trains). */
  async trainBatch(xs: tf.Tensor, ys: tf.Tensor1D, context: TrainStepContext): Promise<Record<string, number>> {
    const loss = this.head.optimizer.minimize(
      () => {
        const features = this.forward(xs);
        // Every activation back-propagation needs is alive now.
        context.probe();
        return this.head.loss(features, ys, { seed: deriveSeed(this.config.seed, 1001, context.step) });
      },
      true,
      this.trained,
    );
    context.probe();
    if (!loss) return {};
    try {
      return { 'loss/head': (await loss.data())[0]! };
    } finally {
      loss.dispose();
    }
  }

  optimizerSlots(): OptimizerSlot[] {
    return [{ owner: 'network', optimizer: this.head.optimizer, variables: () => this.trained }];
  }

  /** Encoder and head weights (the cells' unused decoders are not part of the baseline). */
  namedWeights(): NamedWeights {
    return [...this.encoderWeights(), ...this.head.namedWeights()];
  }

  dispose(): void {
    for (const c of this.cells) c.dispose();
    this.head.dispose();
  }
}
