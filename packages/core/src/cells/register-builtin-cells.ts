import type { Registry } from '../registry/registry';
import { createAutoencoderCell } from './autoencoder-cell';
import { createDenoisingAutoencoderCell } from './denoising-autoencoder-cell';

/** Registers the cells core ships; idempotent. */
export function registerBuiltinCells(target: Registry): void {
  const source = '@localbp/core';
  target.register('cell', 'ae', createAutoencoderCell, { description: 'dense autoencoder (MLP) cell', source });
  target.register('cell', 'dae', createDenoisingAutoencoderCell, {
    description: 'dense denoising autoencoder cell (Gaussian or masking noise)',
    source,
  });
}
