import { defineConfig } from 'tsup';

// Dependencies and peers stay external: the plugin must use the host's one @localbp/core and tfjs.
export default defineConfig({ entry: ['src/index.ts'], format: ['esm'], dts: true, clean: true, sourcemap: true, target: 'node20' });
