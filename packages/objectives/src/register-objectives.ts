import { registry as defaultRegistry, type Registry } from '@localbp/core';
import { createCwcompObjective } from './channel-competitive-objective';
import { createAdversarialObjective } from './adversarial-objective';
import { createDenoisingObjective } from './denoising-objective';
import { createFfObjective, createSymbaObjective } from './forward-forward-objectives';
import { createHybridObjective, createScffObjective } from './unsupervised-ff-objectives';
import { createBceObjective, createMseObjective } from './reconstruction-objectives';

/** Registers every objective this package ships; idempotent, called on import. */
export function registerObjectives(target: Registry = defaultRegistry): void {
  const source = '@localbp/objectives';
  target.register('objective', 'mse', createMseObjective, { description: 'reconstruction, mean squared error', source });
  target.register('objective', 'bce', createBceObjective, {
    description: 'reconstruction, binary cross-entropy (inputs in [0, 1])',
    source,
  });
  target.register('objective', 'denoising', createDenoisingObjective, {
    description: 'denoising reconstruction: Gaussian or masking noise, MSE or BCE',
    source,
  });
  target.register('objective', 'ff', createFfObjective, {
    description: "Forward-Forward (Hinton): logistic loss on goodness vs θ, label written into the input",
    source,
  });
  target.register('objective', 'symba', createSymbaObjective, {
    description: 'SymBa: softplus(−α(G⁺ − G⁻)) on positive/negative pairs, α = 4',
    source,
  });
  target.register('objective', 'hybrid', createHybridObjective, {
    description: 'unsupervised FF: negatives are two images mixed by a blurred random mask',
    source,
  });
  target.register('objective', 'scff', createScffObjective, {
    description: "self-contrastive FF: positive concat(x, x), negative concat(x, x')",
    source,
  });
  target.register('objective', 'cwcomp', createCwcompObjective, {
    description: 'channel-wise competitive FF for conv layers: cross-entropy over per-class channel-group goodness',
    source,
  });
  target.register('objective', 'adversarial', createAdversarialObjective, {
    description: 'GAN game, non-saturating losses on discriminator logits (optional one-sided label smoothing)',
    source,
  });
}
