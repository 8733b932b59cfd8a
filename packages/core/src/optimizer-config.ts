import { z } from 'zod';

/** Per-cell optimizer settings; defaults are ours (AdamW lr 1e-3, wd 1e-2), recorded with each run. */
export const optimizerConfigSchema = z
  .object({
    type: z.enum(['adamw', 'adam', 'sgd']).default('adamw'),
    learningRate: z.number().positive().default(1e-3),
    weightDecay: z.number().min(0).default(1e-2),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    epsilon: z.number().positive().default(1e-8),
  })
  .strict();

/** A validated optimizer config, defaults filled in. */
export type OptimizerConfig = z.infer<typeof optimizerConfigSchema>;
/** An optimizer config as users write it (every field optional). */
export type OptimizerConfigInput = z.input<typeof optimizerConfigSchema>;

/** Ours: AdamW, lr 1e-3, weight decay 1e-2, for every cell and the head. */
export const DEFAULT_OPTIMIZER: OptimizerConfig = optimizerConfigSchema.parse({});
