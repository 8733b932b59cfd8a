import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { registry as defaultRegistry, type LocalbpPlugin, type Registry } from '../registry/registry';

/** A plugin could not be found, imported, or did not export a plugin. */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
}

/** What `loadPlugin` found and registered. */
export interface LoadedPlugin {
  /** The plugin's own name (`LocalbpPlugin.name`). */
  name: string;
  specVersion: number;
  /** How to find it again from anywhere: the absolute directory or file for a path, the package name otherwise. */
  source: string;
}

/** Options of `loadPlugin`. */
export interface LoadPluginOptions {
  /** Where relative paths and `node_modules` lookups start (default: `process.cwd()`). */
  cwd?: string;
  /** Registry the plugin registers into (default: the process-wide one). */
  registry?: Registry;
}

function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec) || spec.startsWith('file:');
}

/** The ESM entry a package directory exposes: `exports['.']` (import/default), then `main`, then index.js. */
function packageEntry(dir: string): string {
  const manifestFile = path.join(dir, 'package.json');
  if (!existsSync(manifestFile)) return path.join(dir, 'index.js');
  let manifest: { name?: unknown; main?: unknown; exports?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as typeof manifest;
  } catch (err) {
    throw new PluginLoadError(`${manifestFile} is not valid JSON: ${(err as Error).message}`);
  }
  const root = typeof manifest.exports === 'object' && manifest.exports !== null && '.' in manifest.exports
    ? (manifest.exports as Record<string, unknown>)['.']
    : manifest.exports;
  const conditional = typeof root === 'object' && root !== null ? (root as Record<string, unknown>) : {};
  const entry = [typeof root === 'string' ? root : undefined, conditional.import, conditional.default, manifest.main, 'index.js'].find(
    (e): e is string => typeof e === 'string',
  )!;
  return path.join(dir, entry);
}

/** `node_modules/<name>` in `cwd` or any directory above it, like Node's own lookup. */
function findInstalledPackage(name: string, cwd: string): string | null {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

async function importEntry(target: string, spec: string): Promise<Record<string, unknown>> {
  try {
    return (await import(/* @vite-ignore */ target)) as Record<string, unknown>;
  } catch (err) {
    throw new PluginLoadError(`plugin "${spec}" failed to import: ${(err as Error).message}`);
  }
}

/**
 * Finds a plugin by package name or path, imports it and registers it (`registry.use`, which refuses
 * another spec major). The module must export a `LocalbpPlugin` as default export or as `plugin`.
 * A path may be a plugin's package directory (its `exports`/`main` entry is loaded) or a module file.
 */
export async function loadPlugin(spec: string, options: LoadPluginOptions = {}): Promise<LoadedPlugin> {
  const cwd = options.cwd ?? process.cwd();
  const target = options.registry ?? defaultRegistry;
  let module: Record<string, unknown>;
  let source: string;
  if (isPathSpec(spec)) {
    const absolute = spec.startsWith('file:') ? new URL(spec).pathname : path.resolve(cwd, spec);
    if (!existsSync(absolute)) throw new PluginLoadError(`plugin path ${absolute} does not exist`);
    const entry = statSync(absolute).isDirectory() ? packageEntry(absolute) : absolute;
    if (!existsSync(entry)) {
      throw new PluginLoadError(`plugin ${absolute} has no built entry ${entry}: build the plugin first (e.g. npm run build)`);
    }
    module = await importEntry(pathToFileURL(entry).href, spec);
    source = absolute;
  } else {
    const installed = findInstalledPackage(spec, cwd);
    if (installed) {
      module = await importEntry(pathToFileURL(packageEntry(installed)).href, spec);
    } else {
      // Not under cwd: maybe installed beside localbp itself (a global install).
      try {
        module = (await import(/* @vite-ignore */ spec)) as Record<string, unknown>;
      } catch {
        throw new PluginLoadError(
          `cannot find plugin package "${spec}" from ${cwd}: install it (npm i ${spec}) or pass a path (./my-plugin)`,
        );
      }
    }
    source = spec;
  }
  const plugin = (module.default ?? module.plugin) as LocalbpPlugin | undefined;
  if (plugin === undefined || typeof plugin !== 'object') {
    throw new PluginLoadError(`"${spec}" exports no plugin: export a LocalbpPlugin as default export or as \`plugin\``);
  }
  target.use(plugin);
  return { name: plugin.name, specVersion: plugin.specVersion, source };
}
