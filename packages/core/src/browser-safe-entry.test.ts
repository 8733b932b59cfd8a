import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Browser clients (federation, dashboard) bundle @localbp/core: its main entry must import nothing from Node.
// Runs on the built bundle (turbo builds before testing), which is what bundlers see.
describe('@localbp/core main entry', () => {
  it('imports only tfjs and zod, statically', () => {
    const bundle = readFileSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)), 'utf8');
    const imports = [...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(['@tensorflow/tfjs', 'zod']).toContain(specifier);
    expect(bundle).not.toMatch(/from "(node:)?(fs|path|crypto|os|child_process)/);
  });
});
