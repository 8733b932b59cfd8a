import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bareImportsReachableFrom } from '../../../browser-entry.shared';

// Browser clients (federation, dashboard) bundle @localbp/core: its main entry must reach nothing from Node.
// Runs on the built bundle (turbo builds before testing), which is what bundlers see; `import()`s count too,
// except the file:// router, which package.json's `browser` field maps away.
describe('@localbp/core main entry', () => {
  it('reaches only tfjs, its wasm backend and zod, statically or by import()', () => {
    const imports = bareImportsReachableFrom(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
    expect(imports).toEqual(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'zod']);
  });
});
