import {
  ClassifierHead,
  deriveSeed,
  registry as defaultRegistry,
  tf,
  type Cell,
  type NamedWeights,
  type Registry,
} from '@localbp/core';
import '@localbp/objectives';
import { lbpModelConfigSchema, type LbpModelConfig, type LbpModelConfigInput } from './training-config';

export interface DataShape {
  /** Per-example image shape [H, W, C]. */
  imageShape: readonly number[];
  numClasses: number;
}

/** One line for a user: zod's issues as `path: message`, anything else by its message. */
function describeError(err: unknown): string {
  if (err instanceof Error && err.name === 'ZodError' && 'issues' in err && Array.isArray(err.issues)) {
    return (err.issues as Array<{ path: PropertyKey[]; message: string }>)
      .map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`)
      .join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

/** A shape mismatch or bad cell configuration, reported before any training starts. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

/**
 * A stack of cells and a classifier on their concatenated latents. Cells are built through the
 * registry by id, so this class never knows a concrete cell type.
 */
export class LbpModel {
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

  static create(input: LbpModelConfigInput, data: DataShape, registry: Registry = defaultRegistry): LbpModel {
    const config = lbpModelConfigSchema.parse(input);
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
            width: spec.width ?? config.width,
            objective: spec.objective,
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
      const latentUnits = cells.reduce((sum, c) => sum + c.latentShape.reduce((a, b) => a * b, 1), 0);
      const head = new ClassifierHead({
        inputUnits: latentUnits,
        numClasses: data.numClasses,
        config: config.head,
        optimizer: config.headOptimizer,
        seed: deriveSeed(config.seed, 1000),
      });
      return new LbpModel(config, data, cells, head);
    } catch (err) {
      for (const c of cells) c.dispose();
      throw err;
    }
  }

  /** Flattened, concatenated latents of every cell (what the classifier reads). */
  features(images: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      let input: tf.Tensor = images;
      for (const cell of this.cells) {
        const latent = cell.encode(input);
        parts.push(tf.reshape(latent, [latent.shape[0]!, -1]) as tf.Tensor2D);
        input = latent;
      }
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    });
  }

  predictLogits(images: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.head.logits(this.features(images)));
  }

  /** Every trainable weight of cells and head, stably named: the unit of checkpoints. */
  namedWeights(): NamedWeights {
    return [...this.cells.flatMap((c) => c.namedWeights()), ...this.head.namedWeights()];
  }

  parameterCount(): number {
    return this.namedWeights().reduce((n, w) => n + w.tensor.size, 0);
  }

  dispose(): void {
    for (const c of this.cells) c.dispose();
    this.head.dispose();
  }
}
