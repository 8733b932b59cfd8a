import type { LocalbpPlugin } from '@localbp/core';
import { createVaeCell } from './vae-cell';

/**
 * The plugin: registers the `vae` cell. `specVersion` is the plugin-contract major this code was
 * written against, as a literal; a localbp implementing another major refuses to load it.
 */
export const plugin: LocalbpPlugin = {
  name: 'localbp-plugin-vae-cell',
  specVersion: 1,
  register(registry) {
    registry.register('cell', 'vae', createVaeCell, {
      description: 'variational autoencoder cell: reparameterized Gaussian latent, reconstruction + KL loss, latent = mean',
      source: 'localbp-plugin-vae-cell',
    });
  },
};

export default plugin;

export { createVaeCell, VaeCell, vaeOptionsSchema } from './vae-cell';
export type { VaeOptions } from './vae-cell';
