import type { TrainableModel } from '@localbp/core';
import { z } from 'zod';

/**
 * How every optimizer's learning rate moves over a training phase: `constant`, or `cosine` decay from the
 * configured rate to `final` × it (optionally after a linear warm-up). A phase of the `separate` schedule
 * gets its own curve, since each phase trains different units from scratch.
 */
export const learningRateScheduleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('constant') }).strict(),
  z
    .object({
      type: z.literal('cosine'),
      /** Share of the configured rate left at the end of the phase. */
      final: z.number().min(0).max(1).default(0.01),
      /** Share of the phase spent warming up linearly from `final` (0 = none). */
      warmup: z.number().min(0).lt(1).default(0),
    })
    .strict(),
]);

/** A validated learning-rate schedule. */
export type LearningRateSchedule = z.infer<typeof learningRateScheduleSchema>;
/** A learning-rate schedule as users write it. */
export type LearningRateScheduleInput = z.input<typeof learningRateScheduleSchema>;

/** The factor on every configured learning rate at step `position` (0-based) of a phase of `total` steps. */
export function learningRateScale(schedule: LearningRateSchedule, position: number, total: number): number {
  if (schedule.type === 'constant' || total <= 1) return 1;
  const t = Math.min(Math.max(position, 0), total - 1) / (total - 1);
  if (t < schedule.warmup) return schedule.final + (1 - schedule.final) * (t / schedule.warmup);
  const progress = schedule.warmup > 0 ? (t - schedule.warmup) / (1 - schedule.warmup) : t;
  return schedule.final + (1 - schedule.final) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

interface Scalable {
  learningRateScale: number;
}

function isScalable(optimizer: object): optimizer is Scalable {
  return 'learningRateScale' in optimizer && typeof (optimizer as Scalable).learningRateScale === 'number';
}

/**
 * Sets the factor on every optimizer of the model that supports one (the built-in AdamW does).
 * Returns how many optimizers could not follow it (a plugin's own), so the caller can say so.
 */
export function applyLearningRateScale(model: Pick<TrainableModel, 'optimizerSlots'>, scale: number): number {
  let unsupported = 0;
  for (const slot of model.optimizerSlots()) {
    if (isScalable(slot.optimizer)) slot.optimizer.learningRateScale = scale;
    else unsupported += 1;
  }
  return unsupported;
}
