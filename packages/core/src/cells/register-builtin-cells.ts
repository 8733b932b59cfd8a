import type { Registry } from '../registry/registry';
import { createAutoencoderCell } from './autoencoder-cell';
import { createDenoisingAutoencoderCell } from './denoising-autoencoder-cell';
import { createGoodnessConvCell } from './goodness-conv-cell';
import { createGoodnessDenseCell } from './goodness-dense-cell';

/** Registers the cells core ships; idempotent. */
export function registerBuiltinCells(target: Registry): void {
  const source = '@localbp/core';
  target.register('cell', 'ae', createAutoencoderCell, { description: 'dense autoencoder (MLP) cell', source });
  target.register('cell', 'dae', createDenoisingAutoencoderCell, {
    description: 'dense denoising autoencoder cell (Gaussian or masking noise)',
    source,
  });
  target.register('cell', 'ff-dense', createGoodnessDenseCell, {
    description: 'Forward-Forward dense layer trained by a goodness objective (ff, symba, hybrid, scff)',
    source,
  });
  target.register('cell', 'ff-conv', createGoodnessConvCell, {
    description: 'Forward-Forward convolutional layer trained by a goodness objective (cwcomp)',
    source,
  });
}
