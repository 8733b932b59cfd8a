import { loadPlugin } from '@localbp/core/node';

/** Commander's collector for repeatable options: `--plugin a --plugin b`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Loads plugins into the shared registry, in order, before any option naming their ids is validated.
 * Returns where each was found (absolute path or package name), which runs record so that `--resume`,
 * `eval` and `export` can load them again from any directory.
 */
export async function loadPlugins(specs: readonly string[]): Promise<string[]> {
  const sources: string[] = [];
  for (const spec of specs) {
    const loaded = await loadPlugin(spec);
    process.stderr.write(`plugin: ${loaded.name} (spec v${loaded.specVersion}) from ${loaded.source}\n`);
    if (!sources.includes(loaded.source)) sources.push(loaded.source);
  }
  return sources;
}
