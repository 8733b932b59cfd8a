import type { Options } from 'tsup';

/** One tsup setup for every library package: ESM with declarations, for Node 20. */
export function libraryTsup(entry: string[] | Record<string, string> = ['src/index.ts']): Options {
  return { entry, format: ['esm'], dts: true, clean: true, sourcemap: true, target: 'node20' };
}
