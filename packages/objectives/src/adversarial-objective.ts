import { tf, type AdversarialObjective } from '@localbp/core';
import { z } from 'zod';

export const adversarialOptionsSchema = z
  .object({
    /** Only the non-saturating game (Goodfellow et al. 2014, §3): G maximizes log D(G(z)). */
    loss: z.enum(['non-saturating']).default('non-saturating'),
    /** One-sided label smoothing: real targets become 1 − s (ours: 0, off). */
    labelSmoothing: z.number().min(0).max(0.5).default(0),
  })
  .strict();

export type AdversarialOptions = z.infer<typeof adversarialOptionsSchema>;

/** Binary cross-entropy of logits against a constant target, in its overflow-free softplus form. */
function logitBce(logits: tf.Tensor, target: number): tf.Tensor {
  return tf.sub(tf.softplus(logits), tf.mul(logits, target));
}

/** Non-saturating GAN losses on raw discriminator logits. */
export function createAdversarialObjective(options: Readonly<Record<string, unknown>> = {}): AdversarialObjective {
  const parsed = adversarialOptionsSchema.parse(options);
  const realTarget = 1 - parsed.labelSmoothing;
  return {
    id: 'adversarial',
    kind: 'adversarial',
    options: parsed,
    discriminatorLoss: (real, fake) =>
      tf.tidy(() => tf.add(tf.mean(logitBce(real, realTarget)), tf.mean(logitBce(fake, 0))) as tf.Scalar),
    generatorLoss: (fake) => tf.tidy(() => tf.mean(logitBce(fake, 1)) as tf.Scalar),
  };
}
