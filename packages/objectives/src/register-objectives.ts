import { registry as defaultRegistry, type Registry } from '@localbp/core';
import { createDenoisingObjective } from './denoising-objective';
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
}
