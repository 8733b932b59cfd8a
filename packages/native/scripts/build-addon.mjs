#!/usr/bin/env node
// Builds the OpenBLAS addon with node-gyp. Runs as the package's install script, so it never fails the install:
// on any failure it prints one line and exits 0, and localbp then trains on the wasm backend.
// `--strict` (the build:addon script) exits non-zero instead, for people building it on purpose.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const strict = process.argv.includes('--strict');
const verbose = strict || process.env.LOCALBP_NATIVE_VERBOSE === '1';

/** node-gyp from our own dependencies, else the copy bundled with npm. */
function findNodeGyp() {
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // not installed as a package: fall through to npm's bundled copy
  }
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => existsSync(c));
}

/**
 * Node's own headers when they sit beside the running node (Debian's /usr/include/node, official tarballs'
 * include/node): node-gyp then needs no download. An explicit npm_config_nodedir wins.
 */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.dirname(path.dirname(process.execPath));
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function finish(message) {
  if (strict) {
    console.error(`@localbp/native: ${message}`);
    process.exit(1);
  }
  console.log(`@localbp/native: ${message}; localbp will use the wasm backend (details: LOCALBP_NATIVE_VERBOSE=1 pnpm rebuild @localbp/native)`);
  process.exit(0);
}

if (process.env.LOCALBP_NATIVE_SKIP_BUILD === '1') finish('addon build skipped (LOCALBP_NATIVE_SKIP_BUILD=1)');
const nodeGyp = findNodeGyp();
if (!nodeGyp) finish('addon not built: node-gyp not found');
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...nodedirArgs()], {
  cwd: packageDir,
  stdio: verbose ? 'inherit' : 'pipe',
  encoding: 'utf8',
});
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const hint = /cblas\.h|lopenblas|openblas/i.test(output) ? ' (libopenblas-dev missing? apt-get install libopenblas-dev / brew install openblas)' : '';
  finish(`addon not built: node-gyp exited ${result.status ?? result.signal}${hint}`);
}
console.log('@localbp/native: OpenBLAS addon built');
// Measured once here, not at every start: see choose-blas-core.mjs. It never fails the install.
const chooser = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'choose-blas-core.mjs')], { cwd: packageDir, stdio: 'inherit', timeout: 300_000 });
if (chooser.status !== 0) console.log('@localbp/native: OpenBLAS kernel choice skipped (its probe failed); OpenBLAS picks its own');
