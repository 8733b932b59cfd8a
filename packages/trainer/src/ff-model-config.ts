import { goodnessCellOptionsSchema, optimizerConfigSchema } from '@localbp/core';
import { z } from 'zod';

/** How an FF model classifies: a linear readout of layers 2..L, or per-label goodness. */
export const ffInferenceSchema = z.enum(['linear', 'goodness']);
/** `linear` or `goodness`. */
export type FfInference = z.infer<typeof ffInferenceSchema>;

/**
 * Everything that defines a Forward-Forward run (Hinton's FF and its successors), recorded with
 * every run and checkpoint. Defaults marked "ours" are not the papers'.
 */
export const ffModelConfigSchema = z
  .object({
    model: z.literal('ff').default('ff'),
    /** Goodness objective id from the registry: ff, symba, hybrid, scff, cwcomp or a plugin's. */
    objective: z.string().min(1).default('ff'),
    objectiveOptions: z.record(z.string(), z.unknown()).default({}),
    layers: z.number().int().positive().default(3),
    /** Units of every dense layer (the reproductions' 1000). */
    width: z.number().int().positive().default(1000),
    /** Channels of each conv layer (objectives that train conv layers, e.g. cwcomp); ours: 20, 80, 240, then 240. */
    channels: z.array(z.number().int().positive()).optional(),
    /** Options of every FF layer cell: normalization, peer normalization, ReLU gradient. */
    layerOptions: goodnessCellOptionsSchema.partial().default({}),
    /** Negative labels: uniformly random wrong labels, or "hard" ones drawn from the model's per-label goodness. */
    negatives: z.enum(['random', 'hard']).default('random'),
    /** What `predictLogits` uses: a linear softmax readout of layers 2..L, or per-label goodness summed over them. */
    inference: ffInferenceSchema.default('linear'),
    /** Also evaluate every other inference mode the objective supports each epoch (`testAccuracy/<mode>`). */
    evaluateAllInference: z.boolean().default(true),
    optimizer: optimizerConfigSchema.default(optimizerConfigSchema.parse({})),
    headOptimizer: optimizerConfigSchema.default(optimizerConfigSchema.parse({})),
    seed: z.number().int().min(0).default(1),
  })
  .strict();

/** A validated Forward-Forward model config, defaults filled in. */
export type FfModelConfig = z.infer<typeof ffModelConfigSchema>;
/** A Forward-Forward model config as users write it. */
export type FfModelConfigInput = z.input<typeof ffModelConfigSchema>;

/** Conv channels when none are given (ours; divisible by 10 classes for CwComp). */
export function defaultConvChannels(layers: number): number[] {
  return Array.from({ length: layers }, (_, i) => [20, 80, 240][i] ?? 240);
}
