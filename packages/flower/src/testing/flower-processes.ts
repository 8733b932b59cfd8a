import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian packages Flower 1.10 needs here (from ../shared/flower/README.md). */
export const FLOWER_APT_PACKAGES =
  'python3-grpcio python3-protobuf python3-numpy python3-cryptography python3-pycryptodome python3-typer python3-rich python3-tomli python3-tomli-w python3-pathspec python3-requests python3-starlette python3-uvicorn python3-typing-extensions';

const PYTHON = '/usr/bin/python3';
const here = dirname(fileURLToPath(import.meta.url));
/** This package's directory, from src/testing or dist. */
const packageDir = existsSync(join(here, '..', '..', 'fixtures')) ? resolve(here, '..', '..') : resolve(here, '..');
export const FIXTURES_DIR = join(packageDir, 'fixtures');

/** `../shared/flower` from the repository root, or undefined when this checkout has none. */
export function findFlowerDir(repoRoot = resolve(packageDir, '..', '..')): string | undefined {
  const dir = resolve(repoRoot, '..', 'shared', 'flower');
  return existsSync(join(dir, 'python', 'flwr')) ? dir : undefined;
}

/**
 * Where Flower is: undefined (with one line on stderr saying why) when there is none to test against; throws one
 * line naming what to install when it is there but Debian's Python cannot import it.
 */
export function flowerForTests(): string | undefined {
  const dir = findFlowerDir();
  if (!dir) {
    process.stderr.write('flower interop tests skipped: no ../shared/flower next to the repository root\n');
    return undefined;
  }
  const probe = spawnSync(PYTHON, ['-c', 'import flwr.server, flwr.client'], { env: flowerEnv(dir), encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) throw new Error(`Flower at ${dir} does not import with ${PYTHON}: apt-get install -y ${FLOWER_APT_PACKAGES}`);
  return dir;
}

export function flowerEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: [join(dir, 'python'), join(dir, 'shims'), FIXTURES_DIR].join(':'), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

/** A port nobody listens on now (loopback). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, child: ChildProcess, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${log().slice(-800)}`);
    const ok = await new Promise<boolean>((r) => {
      const s = new Socket();
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => (s.destroy(), r(false)));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${log().slice(-800)}`);
}

export interface StartedProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Every process a test started, stopped by PID: SIGTERM, then SIGKILL after a grace period (Flower ignores SIGTERM). */
export class ProcessGroup {
  private readonly started: StartedProcess[] = [];

  spawn(command: string, args: string[], env: NodeJS.ProcessEnv): StartedProcess {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
    child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const p = { child, output: () => out, exited };
    this.started.push(p);
    return p;
  }

  async stopAll(graceMs = 1500): Promise<void> {
    const alive = this.started.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of alive) p.child.kill('SIGTERM');
    await Promise.race([Promise.all(alive.map((p) => p.exited)), new Promise((r) => setTimeout(r, graceMs))]);
    for (const p of alive) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(alive.map((p) => p.exited));
  }
}

function pythonCall(argv: string[], module: string, fn: string): string[] {
  return ['-c', `import sys; sys.argv=${JSON.stringify(argv)}; from ${module} import ${fn}; ${fn}()`];
}

export interface SuperLink {
  fleetPort: number;
  driverPort: number;
  rest: boolean;
  /** `HOST:PORT` (gRPC) or `http://HOST:PORT` (REST), as a node is given it. */
  fleetAddress: string;
  process: StartedProcess;
}

/** A SuperLink on free loopback ports (Fleet API gRPC or REST, Driver API gRPC). */
export async function startSuperLink(group: ProcessGroup, dir: string, options: { rest?: boolean } = {}): Promise<SuperLink> {
  const fleetPort = await freePort();
  const driverPort = await freePort();
  const argv = ['flower-superlink', '--insecure', '--driver-api-address', `127.0.0.1:${driverPort}`, '--fleet-api-address', `127.0.0.1:${fleetPort}`];
  if (options.rest) argv.push('--fleet-api-type', 'rest');
  const p = group.spawn(PYTHON, pythonCall(argv, 'flwr.server', 'run_superlink'), flowerEnv(dir));
  await waitForPort(fleetPort, 60_000, p.child, 'SuperLink (Fleet API)', p.output);
  await waitForPort(driverPort, 60_000, p.child, 'SuperLink (Driver API)', p.output);
  return { fleetPort, driverPort, rest: !!options.rest, fleetAddress: options.rest ? `http://127.0.0.1:${fleetPort}` : `127.0.0.1:${fleetPort}`, process: p };
}

/** Flower's History as the fixture ServerApp writes it. */
export interface FlowerHistory {
  losses_distributed: Array<[number, number]>;
  metrics_distributed: Record<string, Array<[number, number]>>;
  rounds: Array<{ round: number; fit_results: number; fit_failures: number; failures: string[] }>;
}

/** Runs a fixture ServerApp (default `localbp_server_apps:server`) to its end; it writes JSON to $LBP_HISTORY_OUT; env: LBP_STRATEGY, LBP_ROUNDS, LBP_CLIENTS, … */
export async function runServerApp<T = FlowerHistory>(group: ProcessGroup, dir: string, link: SuperLink, env: Record<string, string>, timeoutMs: number, app = 'localbp_server_apps:server'): Promise<T> {
  const out = join(mkdtempSync(join(tmpdir(), 'lbp-flower-')), 'history.json');
  const argv = ['flower-server-app', '--insecure', '--superlink', `127.0.0.1:${link.driverPort}`, app];
  const p = group.spawn(PYTHON, pythonCall(argv, 'flwr.server', 'run_server_app'), flowerEnv(dir, { ...env, LBP_HISTORY_OUT: out }));
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  if (code !== 0 || !existsSync(out)) throw new Error(`ServerApp failed (exit ${code}): ${p.output().slice(-1500)}`);
  return JSON.parse(readFileSync(out, 'utf8')) as T;
}

/** A stock Flower SuperNode running a fixture ClientApp (e.g. `localbp_server_apps:echo_client`). */
export function startPythonNode(group: ProcessGroup, dir: string, link: SuperLink, app: string): StartedProcess {
  const argv = ['flower-client-app', '--insecure', ...(link.rest ? ['--rest'] : []), '--superlink', link.fleetAddress, app];
  return group.spawn(PYTHON, pythonCall(argv, 'flwr.client', 'run_client_app'), flowerEnv(dir));
}
