import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { localbp: 'src/localbp.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
