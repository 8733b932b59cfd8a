import type { CellBuildOptions } from '../cell';
import { isDenoisingObjective, type DenoisingObjective, type Objective } from '../objective';
import { AdamWOptimizer } from '../optimizers/adamw-optimizer';
import { AutoencoderCell, autoencoderOptionsSchema, resolveAutoencoderObjective } from './autoencoder-cell';

/**
 * An autoencoder that reconstructs its clean input from a corrupted copy (Gaussian or masking
 * noise, set by its denoising objective). Its latent for the next cell is that of the clean input.
 */
export class DenoisingAutoencoderCell extends AutoencoderCell {}

export function createDenoisingAutoencoderCell(build: CellBuildOptions): DenoisingAutoencoderCell {
  const { objectiveOptions: _ignored, ...rest } = build.options;
  const options = autoencoderOptionsSchema.parse(rest);
  const resolved = resolveAutoencoderObjective(build, 'denoising', (o: Objective): o is DenoisingObjective =>
    isDenoisingObjective(o),
  );
  return new DenoisingAutoencoderCell({
    id: build.id,
    type: 'dae',
    inputShape: build.inputShape,
    inputRange: build.inputRange,
    width: build.width,
    ...resolved,
    options,
    seed: build.seed,
    optimizer: AdamWOptimizer.fromOptimizerConfig(build.optimizer),
  });
}
