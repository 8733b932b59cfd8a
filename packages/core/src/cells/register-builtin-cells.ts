import type { Registry } from '../registry/registry';
import { createAutoencoderCell } from './autoencoder-cell';
import { createAdversarialCell } from './adversarial-cell';
import { createConvolutionalAutoencoderCell } from './convolutional-autoencoder-cell';
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
  target.register('cell', 'cae', createConvolutionalAutoencoderCell, {
    description: 'convolutional autoencoder cell (3x3 stride-2 conv, transposed-conv decoder; 32/64/128 channels by position)',
    source,
  });
  target.register('cell', 'gan', createAdversarialCell, {
    description: 'GAN cell: discriminator features are the latent, noise generator, non-saturating losses (ae-gan option)',
    source,
  });
}
