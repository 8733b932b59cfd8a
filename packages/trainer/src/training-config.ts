import { classifierHeadSchema, optimizerConfigSchema } from '@localbp/core';
import { z } from 'zod';
import { imageAugmentationSchema } from './image-augmentation';
import { learningRateScheduleSchema } from './learning-rate-schedule';

/** Validates one cell of a model config: registry type, width, objective, options. */
export const cellSpecInputSchema = z
  .object({
    type: z.string().min(1),
    width: z.number().int().positive().optional(),
    objective: z.string().min(1).optional(),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** One cell of a model config as users write it. */
export type CellSpecInput = z.input<typeof cellSpecInputSchema>;

/** The training schedules: `simultaneous`, `separate`. */
export const scheduleNameSchema = z.enum(['simultaneous', 'separate']);
/** `simultaneous` or `separate`. */
export type ScheduleName = z.infer<typeof scheduleNameSchema>;

/**
 * Everything that defines an LBP run. Recorded in full with every run and checkpoint; the
 * defaults marked "ours" are not the paper's.
 */
export const lbpModelConfigSchema = z
  .object({
    model: z.literal('lbp').default('lbp'),
    cells: z.array(cellSpecInputSchema).min(1, 'at least one cell'),
    /**
     * Latent width of every cell unless a cell sets its own. When absent, each cell type uses its
     * default (ours: ae/dae 1000, the papers' MNIST MLP width; cae 32/64/128 channels by position).
     */
    width: z.number().int().positive().optional(),
    /**
     * Ours: one hidden layer of 512 ReLU units. One epoch on MNIST, seeds 1-3: 95.5/95.9/95.5% (with 256: 94.7-94.9%,
     * linear: 93.0%); the PyTorch reference reached 93.4% linear, 95.4% with 256.
     */
    head: classifierHeadSchema.default({ hidden: [512], activation: 'relu', dropout: 0 }),
    optimizer: optimizerConfigSchema.default(optimizerConfigSchema.parse({})),
    headOptimizer: optimizerConfigSchema.default(optimizerConfigSchema.parse({})),
    seed: z.number().int().min(0).default(1),
  })
  .strict();

/** A validated LBP model config, defaults filled in. */
export type LbpModelConfig = z.infer<typeof lbpModelConfigSchema>;
/** An LBP model config as users write it. */
export type LbpModelConfigInput = z.input<typeof lbpModelConfigSchema>;

/** Validates fit options: epochs, batch size, schedule, per-epoch evaluation. */
export const fitOptionsSchema = z
  .object({
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive().default(128),
    schedule: scheduleNameSchema.default('simultaneous'),
    /** Evaluate on the test split after each epoch that trains the classifier. */
    evaluateEachEpoch: z.boolean().default(true),
    /** Learning-rate schedule of every optimizer, per phase. */
    lrSchedule: learningRateScheduleSchema.default({ type: 'constant' }),
    /** Transforms of every training batch (none by default). */
    augment: imageAugmentationSchema.default({ shift: 0, horizontalFlip: false }),
  })
  .strict();

/** Validated fit options. */
export type FitOptions = z.infer<typeof fitOptionsSchema>;
/** Fit options as users write them. */
export type FitOptionsInput = z.input<typeof fitOptionsSchema>;
