import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bareImportsReachableFrom } from '../../../browser-entry.shared';

// Browser bundles get dist/browser.js (the `browser` export condition): it must reach nothing from Node.
describe('@localbp/trainer browser entry', () => {
  it('reaches only the other localbp packages and zod', () => {
    expect(bareImportsReachableFrom(fileURLToPath(new URL('../dist/browser.js', import.meta.url)))).toEqual([
      '@localbp/core',
      '@localbp/datasets',
      '@localbp/objectives',
      'zod',
    ]);
  });

  it('is part of the main entry, which adds checkpoints and run recording', async () => {
    const [browser, main] = await Promise.all([import('./browser'), import('./index')]);
    expect(Object.keys(main)).toEqual(expect.arrayContaining(Object.keys(browser)));
    expect(Object.keys(browser)).not.toContain('saveCheckpoint');
  });
});
