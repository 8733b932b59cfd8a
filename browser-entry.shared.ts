import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every bare module specifier (a package or a Node built-in) that a built entry reaches through its own
 * chunks, statically or by `import()`, as a browser bundler sees it: files that the package's `browser`
 * field maps to `false` are not followed. Tests of browser entries assert that no Node module is among them.
 */
export function bareImportsReachableFrom(entry: string): string[] {
  const root = packageRootOf(entry);
  const browserField = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { browser?: unknown }).browser;
  const disabled = new Set(
    typeof browserField === 'object' && browserField !== null
      ? Object.entries(browserField).filter(([, to]) => to === false).map(([from]) => path.resolve(root, from))
      : [],
  );
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || disabled.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)"([^"]+)"/gm)) {
      const specifier = m[1]!;
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(path.resolve(entry));
  return [...bare].sort();
}

function packageRootOf(file: string): string {
  for (let dir = path.dirname(path.resolve(file)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${file}`);
}
