import type { CellBuildOptions } from '../cell';
import { isDenoisingObjective, type DenoisingObjective, type Objective } from '../objective';
import { AutoencoderCell, buildAutoencoderCell } from './autoencoder-cell';

/**
 * An autoencoder that reconstructs its clean input from a corrupted copy (Gaussian or masking
 * noise, set by its denoising objective). Its latent for the next cell is that of the clean input.
 */
export class DenoisingAutoencoderCell extends AutoencoderCell {}

/** The `dae` cell factory: a dense autoencoder trained by the `denoising` objective. */
export function createDenoisingAutoencoderCell(build: CellBuildOptions): DenoisingAutoencoderCell {
  return buildAutoencoderCell(
    build,
    'dae',
    'denoising',
    (o: Objective): o is DenoisingObjective => isDenoisingObjective(o),
    DenoisingAutoencoderCell,
  );
}
