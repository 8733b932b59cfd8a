import { classifierHeadSchema, optimizerConfigSchema } from '@localbp/core';
import { z } from 'zod';
import { cellSpecInputSchema } from './training-config';

/**
 * A back-propagation baseline: the encoders of a cell stack plus a head on the last latent,
 * trained end to end by one optimizer. Recorded in full with every run and checkpoint.
 */
export const bpModelConfigSchema = z
  .object({
    model: z.literal('bp').default('bp'),
    /** The encoder stack, built through the registry exactly as for LBP (decoders stay unused). */
    cells: z.array(cellSpecInputSchema).min(1, 'at least one cell'),
    width: z.number().int().positive().optional(),
    /** The paper's baseline: a linear head on the flattened last latent. */
    head: classifierHeadSchema.default({ hidden: [], activation: 'relu', dropout: 0 }),
    /** The one optimizer over every encoder and head weight (ours: AdamW lr 1e-3, wd 1e-2). */
    optimizer: optimizerConfigSchema.default(optimizerConfigSchema.parse({})),
    seed: z.number().int().min(0).default(1),
  })
  .strict();

export type BpModelConfig = z.infer<typeof bpModelConfigSchema>;
export type BpModelConfigInput = z.input<typeof bpModelConfigSchema>;
