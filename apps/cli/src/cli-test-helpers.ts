import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary: tests exercise what users run, not the sources (turbo builds before testing). */
export const LOCALBP_BIN = fileURLToPath(new URL('../dist/localbp.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `localbp` child with its output collected so far. */
export interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<CliResult>;
}

export function startCli(args: readonly string[], cwd: string = tmpdir(), env: Record<string, string> = {}): CliProcess {
  if (!existsSync(LOCALBP_BIN)) throw new Error(`${LOCALBP_BIN} is missing: run \`pnpm build\` first`);
  return startProcess(process.execPath, [LOCALBP_BIN, ...args], cwd, env);
}

/** Any command with its output collected (e.g. `ip netns exec NS node …`). */
export function startProcess(command: string, args: readonly string[], cwd: string = tmpdir(), env: Record<string, string> = {}): CliProcess {
  // Pipes, not a TTY: progress is line-based, as in CI logs.
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
  };
}

export function runCli(args: readonly string[], cwd?: string): Promise<CliResult> {
  return startCli(args, cwd).done;
}

/** Resolves once `test` matches the child's stderr; rejects if the child exits first or on timeout. */
export async function waitForStderr(proc: CliProcess, test: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.done.then(() => (exited = true));
  while (!test.test(proc.stderr)) {
    if (exited) throw new Error(`localbp exited before stderr matched ${test}:\n${proc.stderr}`);
    if (Date.now() > deadline) throw new Error(`stderr did not match ${test} within ${timeoutMs} ms:\n${proc.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The last non-empty stdout line parsed as JSON: the `--json` contract. */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

/** Stack frames look like `    at fn (file:line:col)`; user errors must never show them. */
export const STACK_LINE = /^\s+at /m;

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `localbp-cli-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
