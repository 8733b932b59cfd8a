// Set-up the test suite needs beyond `pnpm install`: system packages that npm cannot provide.
//
// `ensureTestPrerequisites()` checks each one; what is missing it installs with apt-get when it can
// (root, or passwordless `sudo -n`), and otherwise throws `PrerequisiteError` with one line naming
// exactly what to install, so `pnpm test` stops within seconds instead of failing minutes later.
//
// Environment:
//   LOCALBP_SKIP_TEST_SETUP=1   check and install nothing (tests that need a missing tool say so and skip)
//   LOCALBP_CHROMIUM=/path      the Chromium (or Chrome) binary browser tests launch; default /usr/bin/chromium
// Node built-ins only.

import { spawnSync } from 'node:child_process';
import { accessSync, existsSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NATIVE_DIR = path.join(ROOT, 'packages', 'native');
const NATIVE_ADDON = path.join(NATIVE_DIR, 'build', 'Release', 'localbp_native.node');
const FLOWER_DIR = path.resolve(ROOT, '..', 'shared', 'flower');
const FLOWER_APT = [
  'python3-grpcio', 'python3-protobuf', 'python3-numpy', 'python3-cryptography', 'python3-pycryptodome', 'python3-typer',
  'python3-rich', 'python3-tomli', 'python3-tomli-w', 'python3-pathspec', 'python3-requests', 'python3-starlette',
  'python3-uvicorn', 'python3-typing-extensions',
];
const FLOWER_IMPORTS = 'import grpc, google.protobuf, numpy, cryptography, Cryptodome, typer, rich, tomli, tomli_w, pathspec, requests, starlette, uvicorn';

/** A prerequisite is missing and cannot be installed here; `message` is the one line to show. */
export class PrerequisiteError extends Error {}

/** The browser the e2e tests launch (playwright-core's `executablePath`). */
export function chromiumPath(env = process.env) {
  return env.LOCALBP_CHROMIUM || '/usr/bin/chromium';
}

function executable(file) {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function succeeds(command, args) {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0;
}

function outputOf(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return r.error || r.status !== 0 ? '' : r.stdout;
}

/**
 * What the suite needs. `apt` is the Debian package that provides it; `hint` adds the alternative to
 * installing it, if any.
 */
export function prerequisites(env = process.env) {
  return [
    {
      name: 'Chromium',
      apt: 'chromium',
      why: 'browser tests (dashboard, browser participants) launch it through playwright-core',
      hint: 'or set LOCALBP_CHROMIUM=/path/to/chrome',
      present: () => executable(chromiumPath(env)),
    },
    {
      name: 'OpenBLAS',
      apt: 'libopenblas-dev',
      why: 'the native BLAS engine (packages/native) links against it',
      hint: '',
      // The addon compiles against cblas.h: the runtime library alone (libopenblas0) is not enough.
      present: () => succeeds('dpkg', ['-s', 'libopenblas-dev']) || cblasHeaderFound(),
    },
    {
      name: "Flower's Python packages",
      // Debian's python3 runs the Flower 1.10 the workplace ships in ../shared/flower (its README lists these).
      apt: FLOWER_APT.join(' '),
      why: 'the Flower interop tests run a real SuperLink and ServerApps from ../shared/flower',
      hint: '',
      present: () => !existsSync(FLOWER_DIR) || succeeds('/usr/bin/python3', ['-c', FLOWER_IMPORTS]),
    },
    {
      name: 'iproute2 (ip, tc)',
      apt: 'iproute2',
      why: 'the network-fault tests make namespaces, veth links and netem shaping',
      hint: '',
      // Only root can make namespaces: elsewhere those tests skip with their reason, so nothing is missing.
      rootOnly: true,
      present: () => ['ip', 'tc'].every((tool) => ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((d) => executable(path.join(d, tool)))),
    },
    {
      name: 'nftables',
      apt: 'nftables',
      why: 'the network-fault tests drop packets with nftables where the kernel has no netem',
      hint: '',
      rootOnly: true,
      present: () => ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((d) => executable(path.join(d, 'nft'))),
    },
  ];
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** A cblas.h where the addon's binding.gyp looks (Debian multiarch dirs, /usr/include, /usr/local/include). */
function cblasHeaderFound() {
  const dirs = ['/usr/include', '/usr/local/include', '/usr/include/openblas', '/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu'];
  return dirs.some((d) => existsSync(path.join(d, 'cblas.h')));
}

/** How apt-get can be run here: directly (root), through `sudo -n`, or not at all. */
function aptRunner() {
  if (isRoot()) return [];
  // -n: never prompt; a sudo that wants a password fails at once.
  if (succeeds('sudo', ['-n', 'true'])) return ['sudo', '-n'];
  return null;
}

function apt(runner, args) {
  const [command, ...rest] = [...runner, 'apt-get', ...args];
  // apt's progress goes to stderr: stdout stays the test output.
  const r = spawnSync(command, rest, {
    stdio: ['ignore', 2, 2],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.error ? 1 : (r.status ?? 1);
}

function missingLine(missing, reason, hasApt = true) {
  const names = missing.map((p) => p.name).join(' and ');
  const hints = missing.filter((p) => p.hint).map((p) => `${p.hint} for ${p.name}`);
  const alternative = hints.length ? ` (${hints.join('; ')})` : '';
  const list = missing.map((p) => p.apt).join(' ');
  const how = hasApt ? `run "sudo apt-get install -y ${list}"` : `install them (Debian packages: ${list})`;
  return `localbp tests need ${names}: ${reason}${how}${alternative}`;
}

/**
 * Makes sure every prerequisite is there, installing what is missing when root or passwordless sudo
 * with apt-get allows. Throws `PrerequisiteError` (one line) when something is missing and stays so.
 * @returns {{ skipped: boolean, installed: string[] }}
 */
export function ensureTestPrerequisites({ env = process.env, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (env.LOCALBP_SKIP_TEST_SETUP === '1') {
    log('[test set-up] skipped (LOCALBP_SKIP_TEST_SETUP=1)');
    return { skipped: true, installed: [] };
  }
  if (env.LOCALBP_CHROMIUM && !executable(env.LOCALBP_CHROMIUM)) {
    // A chosen browser that is not there: installing Debian's would not help.
    throw new PrerequisiteError(`localbp tests need Chromium: LOCALBP_CHROMIUM=${env.LOCALBP_CHROMIUM} is not an executable file (unset it to use /usr/bin/chromium)`);
  }
  // A root-only tool is needed only where its tests can run at all (as root).
  const missing = prerequisites(env).filter((p) => (!p.rootOnly || isRoot()) && !p.present());
  if (missing.length === 0) {
    ensureNativeAddon(log);
    return { skipped: false, installed: [] };
  }
  const hasApt = succeeds('sh', ['-c', 'command -v apt-get']);
  const runner = hasApt ? aptRunner() : null;
  if (!runner) throw new PrerequisiteError(missingLine(missing, '', hasApt));
  const packages = missing.flatMap((p) => p.apt.split(' '));
  log(`[test set-up] installing ${packages.join(' ')} with ${[...runner, 'apt-get'].join(' ')} (${missing.map((p) => `${p.name}: ${p.why}`).join('; ')})`);
  const update = apt(runner, ['update', '-qq']);
  const install = update === 0 ? apt(runner, ['install', '-y', '-qq', ...packages]) : update;
  const still = missing.filter((p) => !p.present());
  if (still.length > 0) {
    const step = update === 0 ? 'install' : 'update';
    throw new PrerequisiteError(missingLine(still, `"apt-get ${step}" failed (exit ${install}); `));
  }
  ensureNativeAddon(log);
  return { skipped: false, installed: packages };
}

/**
 * `pnpm install` builds the OpenBLAS addon only if OpenBLAS was there at install time; on a fresh
 * machine the set-up above installs it afterwards, so the addon is built here. The native kernel
 * tests then run instead of failing for want of it.
 */
function ensureNativeAddon(log) {
  if (!existsSync(path.join(NATIVE_DIR, 'scripts', 'build-addon.mjs')) || existsSync(NATIVE_ADDON)) return;
  log('[test set-up] building the OpenBLAS addon of @localbp/native (OpenBLAS arrived after pnpm install)');
  const r = spawnSync(process.execPath, [path.join(NATIVE_DIR, 'scripts', 'build-addon.mjs'), '--strict'], { cwd: NATIVE_DIR, stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !existsSync(NATIVE_ADDON)) {
    throw new PrerequisiteError('localbp tests need the OpenBLAS addon: its build failed (see above); fix it or run "pnpm --filter @localbp/native build:addon" to retry');
  }
}
