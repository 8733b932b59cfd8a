import { defineConfig } from 'tsup';
import { libraryTsup } from '../../tsup.shared';

// The server library, and the browser bundle it serves (uPlot included, one script and one stylesheet).
export default defineConfig([
  { ...libraryTsup({ index: 'src/index.ts' }), clean: false },
  {
    entry: { app: 'src/client/app.ts' },
    outDir: 'dist/client',
    format: ['iife'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    dts: false,
    clean: false,
    noExternal: [/.*/],
    outExtension: () => ({ js: '.js' }),
  },
]);
