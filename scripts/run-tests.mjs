#!/usr/bin/env node
// Root test runner: `pnpm test [turbo args...]`.
//
// 0. set-up (`test-prerequisites.mjs`): installs Chromium, OpenBLAS (and as root iproute2, nftables) with apt-get where it can, or stops
//    at once with one line saying what to install (LOCALBP_SKIP_TEST_SETUP=1 skips this step),
// 1. deletes stale `test-results.json` in every workspace package,
// 2. runs `turbo run test --continue [args...]` (output streamed as it comes),
// 3. reads each package's vitest JSON report and prints a per-package summary,
//    ending with exactly one line `N passed, N failed[, N skipped]`.
//
// A package whose `test` task was scheduled but left no report (build failed,
// vitest crashed, no test files...) counts as 1 failed. Exit code: turbo's exit
// code when non-zero, else 1 when anything failed, else 0.
// Node built-ins only.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as osConstants } from 'node:os';
import { ensureTestPrerequisites, PrerequisiteError } from './test-prerequisites.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_FILE = 'test-results.json';
const MAX_LISTED_FAILURES = 50;

const userArgs = process.argv.slice(2);
const turboEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

// ---------------------------------------------------------------- workspace --

/** Workspace globs from pnpm-workspace.yaml (only `dir/*` and plain dirs are needed here). */
function workspaceGlobs() {
  const fallback = ['packages/*', 'apps/*'];
  let text;
  try {
    text = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  } catch {
    return fallback;
  }
  const globs = [];
  let inPackages = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^packages\s*:/.test(line)) {
      inPackages = true;
      continue;
    }
    if (!inPackages) continue;
    if (/^\S/.test(line)) break; // next top-level key
    const m = /^\s*-\s*['"]?([^'"#]+?)['"]?\s*(#.*)?$/.exec(line);
    if (m) globs.push(m[1].trim());
  }
  return globs.length > 0 ? globs : fallback;
}

/** @returns {{ name: string, dir: string, rel: string, hasTest: boolean }[]} */
function workspacePackages() {
  const dirs = new Set();
  for (const glob of workspaceGlobs()) {
    if (glob.startsWith('!')) continue;
    if (glob.endsWith('/*') || glob.endsWith('/**')) {
      const base = join(ROOT, glob.replace(/\/\*\*?$/, ''));
      let entries = [];
      try {
        entries = readdirSync(base, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) if (e.isDirectory() && e.name !== 'node_modules') dirs.add(join(base, e.name));
    } else if (!glob.includes('*')) {
      dirs.add(join(ROOT, glob));
    }
  }
  const packages = [];
  for (const dir of [...dirs].sort()) {
    const pkgPath = join(dir, 'package.json');
    if (!existsSync(pkgPath)) continue;
    let pkg = {};
    try {
      pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    } catch {
      // unreadable package.json: still clean its stale report
    }
    packages.push({
      name: typeof pkg.name === 'string' ? pkg.name : relative(ROOT, dir),
      dir,
      rel: relative(ROOT, dir).split(sep).join('/'),
      hasTest: typeof pkg.scripts?.test === 'string' && pkg.scripts.test.trim() !== '',
    });
  }
  return packages;
}

// -------------------------------------------------------------------- turbo --

function turboBin() {
  const bin = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
  return bin;
}

function hasFlag(args, flag) {
  const end = args.indexOf('--');
  const own = end === -1 ? args : args.slice(0, end);
  return own.some((a) => a === flag || a.startsWith(`${flag}=`));
}

/** Insert turbo options before a `--` passthrough separator, if any. */
function withOptions(args, options) {
  const end = args.indexOf('--');
  return end === -1 ? [...args, ...options] : [...args.slice(0, end), ...options, ...args.slice(end)];
}

/**
 * Directories (relative to ROOT) of the packages whose `test` task this run schedules,
 * from `turbo run test --dry=json`. Null when turbo cannot tell us.
 */
function plannedTestDirs(baseArgs) {
  if (hasFlag(userArgs, '--dry') || hasFlag(userArgs, '--dry-run')) return null;
  const result = spawnSync(turboBin(), withOptions(baseArgs, ['--dry=json']), {
    cwd: ROOT,
    env: turboEnv,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    shell: process.platform === 'win32',
  });
  if (result.error || result.status !== 0) return null;
  try {
    const start = result.stdout.indexOf('{');
    const dry = JSON.parse(result.stdout.slice(start));
    const dirs = new Set();
    for (const task of dry.tasks ?? []) {
      if (task.task !== 'test' || task.command === '<NONEXISTENT>') continue;
      if (typeof task.directory === 'string') dirs.add(task.directory.split(sep).join('/'));
    }
    return dirs;
  } catch {
    return null;
  }
}

function runTurbo(args) {
  return new Promise((resolvePromise) => {
    let child;
    try {
      child = spawn(turboBin(), args, {
        cwd: ROOT,
        env: turboEnv,
        stdio: 'inherit',
        shell: process.platform === 'win32',
      });
    } catch (error) {
      console.error(`run-tests: could not start turbo: ${error.message}`);
      resolvePromise(1);
      return;
    }
    const forward = (signal) => {
      if (child.exitCode === null) child.kill(signal);
    };
    // Let turbo finish (and clean up) on Ctrl-C / termination; we still print the summary.
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (error) => {
      console.error(`run-tests: could not run ${relative(ROOT, turboBin())}: ${error.message}`);
      console.error('run-tests: did you run `pnpm install`?');
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (code !== null) resolvePromise(code);
      else resolvePromise(128 + (osConstants.signals[signal] ?? 0) || 1);
    });
  });
}

/**
 * Per-package task outcomes from the run summary turbo wrote (`--summarize`):
 * `testExit` is the `test` task's exit code, `failedTasks` the other tasks of that package that failed.
 * Null when turbo wrote no summary (it failed before running anything).
 * @returns {Map<string, { testExit?: number, failedTasks: string[] }> | null}
 */
function taskOutcomes(startedAt, ownSummary) {
  const runsDir = join(ROOT, '.turbo', 'runs');
  const outcomes = new Map();
  let newest;
  try {
    for (const name of readdirSync(runsDir)) {
      if (!name.endsWith('.json')) continue;
      const file = join(runsDir, name);
      const mtime = statSync(file).mtimeMs;
      if (mtime + 1000 < startedAt) continue;
      if (!newest || mtime > newest.mtime) newest = { file, mtime };
    }
  } catch {
    return null;
  }
  if (!newest) return null;
  try {
    const summary = JSON.parse(readFileSync(newest.file, 'utf8'));
    for (const task of summary.tasks ?? []) {
      const code = task.execution?.exitCode;
      if (typeof task.directory !== 'string' || typeof code !== 'number') continue;
      const dir = task.directory.split(sep).join('/');
      const entry = outcomes.get(dir) ?? { failedTasks: [] };
      if (task.task === 'test') entry.testExit = code;
      else if (code !== 0) entry.failedTasks.push(String(task.task));
      outcomes.set(dir, entry);
    }
  } catch {
    // ignore an unreadable summary
  }
  if (ownSummary) rmSync(newest.file, { force: true });
  return outcomes;
}

// ------------------------------------------------------------------ reports --

const SKIPPED_STATUSES = new Set(['skipped', 'pending', 'todo', 'disabled', 'focused']);

/**
 * Counts from a vitest JSON report. Per-test statuses are preferred; a test file that
 * failed without any failing test (import error, hook error) counts as one failure.
 */
function readReport(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  const results = Array.isArray(report.testResults) ? report.testResults : [];
  let sawAssertions = false;
  for (const fileResult of results) {
    const assertions = Array.isArray(fileResult.assertionResults) ? fileResult.assertionResults : [];
    const fileName = typeof fileResult.name === 'string' ? fileResult.name : '(unknown file)';
    let fileFailed = 0;
    for (const a of assertions) {
      sawAssertions = true;
      if (a.status === 'passed') passed++;
      else if (a.status === 'failed') {
        failed++;
        fileFailed++;
        failures.push({ file: fileName, test: a.fullName || a.title || '(unnamed test)' });
      } else if (SKIPPED_STATUSES.has(a.status)) skipped++;
      else skipped++;
    }
    if (fileResult.status === 'failed' && fileFailed === 0) {
      failed++;
      const message = typeof fileResult.message === 'string' ? fileResult.message.split('\n')[0] : '';
      failures.push({ file: fileName, test: message ? `(file failed: ${message})` : '(a suite hook failed or the file crashed; see output above)' });
    }
  }
  if (!sawAssertions && results.length === 0) {
    // No per-file data: fall back to the totals.
    passed = Number(report.numPassedTests) || 0;
    failed = Number(report.numFailedTests) || 0;
    skipped = (Number(report.numPendingTests) || 0) + (Number(report.numTodoTests) || 0);
  }
  let note = '';
  if (failed === 0 && report.success === false) {
    failed = 1;
    note = results.length === 0 ? 'no test files found' : 'vitest reported failure';
  }
  return { passed, failed, skipped, failures, note };
}

// ------------------------------------------------------------------- output --

function pad(value, width, right = false) {
  const s = String(value);
  return right ? s.padStart(width) : s.padEnd(width);
}

function printSummary(rows) {
  const out = [];
  out.push('');
  out.push('Test summary');
  if (rows.length === 0) {
    out.push('  (no package test tasks were run)');
  } else {
    const header = ['package', 'passed', 'failed', 'skipped', 'status'];
    const nameWidth = Math.max(header[0].length, ...rows.map((r) => r.name.length));
    out.push(
      `  ${pad(header[0], nameWidth)}  ${pad(header[1], 6, true)}  ${pad(header[2], 6, true)}  ${pad(header[3], 7, true)}  ${header[4]}`,
    );
    for (const r of rows) {
      out.push(
        `  ${pad(r.name, nameWidth)}  ${pad(r.passed, 6, true)}  ${pad(r.failed, 6, true)}  ${pad(r.skipped, 7, true)}  ${r.status}`,
      );
    }
  }
  const failures = rows.flatMap((r) => r.failures.map((f) => ({ ...f, pkg: r })));
  if (failures.length > 0) {
    out.push('');
    out.push('Failed:');
    for (const f of failures.slice(0, MAX_LISTED_FAILURES)) {
      const file = relative(f.pkg.dir, f.file).split(sep).join('/') || f.file;
      out.push(`  ${f.pkg.name}  ${file}  ${f.test}`);
    }
    if (failures.length > MAX_LISTED_FAILURES) out.push(`  ... and ${failures.length - MAX_LISTED_FAILURES} more`);
  }
  const missing = rows.filter((r) => r.missing);
  if (missing.length > 0) {
    out.push('');
    out.push(`No test report from: ${missing.map((r) => r.name).join(', ')}`);
  }
  return out;
}

// --------------------------------------------------------------------- main --

async function main() {
  try {
    ensureTestPrerequisites();
  } catch (error) {
    if (!(error instanceof PrerequisiteError)) throw error;
    // One line, before any build: what to install, not a red suite minutes later.
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const packages = workspacePackages();
  // Keep going past failures, but do not test a package whose build (or a dependency's) failed:
  // it would test stale output; it is reported as failed instead. Options go after the user's
  // args (and before any `--`), so an option cannot swallow a positional argument.
  const continueArgs = hasFlag(userArgs, '--continue') ? [] : ['--continue=dependencies-successful'];
  const baseArgs = withOptions(['run', 'test', ...userArgs], continueArgs);
  const planned = plannedTestDirs(baseArgs);

  // Stale reports must not be mistaken for this run's. When turbo told us which packages this
  // run tests (e.g. under --filter), only those are cleaned and summarized; otherwise all are.
  const inScope = (pkg) => (planned ? planned.has(pkg.rel) : true);
  for (const pkg of packages) if (inScope(pkg)) rmSync(join(pkg.dir, REPORT_FILE), { force: true });
  const ownSummary = !hasFlag(userArgs, '--summarize');
  const runArgs = ownSummary ? withOptions(baseArgs, ['--summarize']) : baseArgs;

  const startedAt = Date.now();
  const turboCode = await runTurbo(runArgs);
  const outcomes = taskOutcomes(startedAt, ownSummary);

  const rows = [];
  for (const pkg of packages) {
    const reportPath = join(pkg.dir, REPORT_FILE);
    const hasReport = existsSync(reportPath);
    if (planned ? !planned.has(pkg.rel) : !pkg.hasTest && !hasReport) continue;
    const outcome = outcomes?.get(pkg.rel) ?? { failedTasks: [] };
    const ownFailure = outcome.failedTasks.length > 0 ? `${outcome.failedTasks.join(', ')} failed` : '';
    const row = { name: pkg.name, dir: pkg.dir, passed: 0, failed: 0, skipped: 0, failures: [], status: 'ok', missing: false };
    if (!hasReport) {
      row.failed = 1;
      row.missing = true;
      let why;
      if (outcome.testExit !== undefined) why = `test exited with code ${outcome.testExit}`;
      else if (ownFailure) why = `${ownFailure}, test did not run`;
      else if (outcomes) why = 'test did not run: a dependency failed to build?';
      else why = 'turbo did not run it; see the error above';
      row.status = `FAILED: no test report (${why})`;
    } else {
      try {
        const r = readReport(reportPath);
        Object.assign(row, { passed: r.passed, failed: r.failed, skipped: r.skipped, failures: r.failures });
        const notes = [];
        if (r.note) notes.push(r.note);
        if (ownFailure) {
          // e.g. `--continue=always` ran the tests against a stale build
          row.failed++;
          notes.push(ownFailure);
        }
        if (row.failed === 0 && outcome.testExit !== undefined && outcome.testExit !== 0) {
          row.failed = 1;
          notes.push(`test exited with code ${outcome.testExit} (unhandled error?)`);
        }
        if (row.failed > 0) row.status = notes.length > 0 ? `FAILED: ${notes.join('; ')}` : 'FAILED';
      } catch (error) {
        row.failed = 1;
        row.missing = true;
        row.status = `FAILED: unreadable test report (${error.message})`;
      }
    }
    rows.push(row);
  }

  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  const skipped = rows.reduce((n, r) => n + r.skipped, 0);

  const lines = printSummary(rows);
  if (turboCode !== 0) lines.push('', `turbo exited with code ${turboCode}`);
  lines.push(skipped > 0 ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`);
  process.stdout.write(`${lines.join('\n')}\n`);

  process.exitCode = turboCode !== 0 ? turboCode : failed > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.stdout.write('0 passed, 1 failed\n');
  process.exitCode = 1;
});
