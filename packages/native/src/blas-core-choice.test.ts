import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuSignature, readCpu } from '../scripts/cpu-signature.mjs';
import { pickBlasCore } from '../scripts/pick-blas-core.mjs';
import { SKIP_NATIVE } from './native-test-gate';

const RELEASE = fileURLToPath(new URL('../build/Release/', import.meta.url));
const CHILD = fileURLToPath(new URL('../test-fixtures/blas-core-child.mjs', import.meta.url));
const cpu = readCpu();
const scratch = mkdtempSync(path.join(tmpdir(), 'localbp-blas-core-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the built addons beside the given record, as the install leaves them. */
function addonWithRecord(name: string, record: object | null): string {
  const dir = path.join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of ['localbp_native.node', 'localbp_env.node']) copyFileSync(path.join(RELEASE, file), path.join(dir, file));
  if (record) writeFileSync(path.join(dir, 'blas-core.json'), JSON.stringify(record));
  return path.join(dir, 'localbp_native.node');
}

interface ChildReport {
  choice: { source: string; requested?: string };
  core: string;
  /** OPENBLAS_CORETYPE in the environment after the load. */
  left: string | null;
}

function run(addonFile: string, options: { worker?: boolean; coretype?: string } = {}): ChildReport {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  if (options.coretype) env.OPENBLAS_CORETYPE = options.coretype;
  const r = spawnSync(process.execPath, [CHILD, addonFile, ...(options.worker ? ['--worker'] : [])], { env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildReport;
}

describe('cpu signature', () => {
  it('reads vendor, family, model and vector flags from /proc/cpuinfo text', () => {
    const text = 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512_bf16\n\nprocessor\t: 1\nvendor_id\t: Other\n';
    const parsed = readCpu(text)!;
    expect(parsed).toMatchObject({ vendor: 'GenuineIntel', family: '6', model: '207' });
    expect(cpuSignature(parsed)).toBe('GenuineIntel family 6 model 207: sse4_2 avx avx2 fma avx512f avx512_bf16');
  });
});

describe('the choice among measured kernel sets', () => {
  const own = { core: 'Prescott', error: 1e-7, gflops: 27 };
  it('takes the fastest correct set that beats OpenBLAS own pick by 10%, and the earlier one of sets within 1.5x', () => {
    const skylake = { requested: 'SkylakeX', core: 'SkylakeX', error: 1e-7, gflops: 110 };
    const cooper = { requested: 'Cooperlake', core: 'Cooperlake', error: 1e-7, gflops: 118 };
    const haswell = { requested: 'Haswell', core: 'Haswell', error: 1e-7, gflops: 60 };
    const pick = (...sets: Array<typeof skylake>) => pickBlasCore(own, sets)?.requested;
    expect(pick(skylake, cooper, haswell)).toBe('SkylakeX');
    expect(pick({ ...skylake, gflops: 95 }, cooper, haswell)).toBe('SkylakeX');
    expect(pick({ ...skylake, gflops: 90 }, { ...cooper, gflops: 130 }, haswell)).toBe('SkylakeX');
    expect(pick({ ...skylake, gflops: 80 }, { ...cooper, gflops: 130 }, haswell)).toBe('Cooperlake');
  });
  it('never takes a set that failed, computed wrongly, or gains less than 10%', () => {
    const died = { requested: 'SkylakeX', failed: 'SIGILL' };
    const wrong = { requested: 'Cooperlake', core: 'Cooperlake', error: 0.5, gflops: 500 };
    const marginal = { requested: 'Haswell', core: 'Haswell', error: 1e-7, gflops: 29 };
    expect(pickBlasCore(own, [died, wrong, marginal])).toBeNull();
  });
});

// x86-64 Linux only: elsewhere OpenBLAS always picks its own kernels and no record is written.
describe.skipIf(SKIP_NATIVE || !cpu)('the kernel set measured at install', () => {
  const own = () => run(addonWithRecord('none', null)).core;
  // SSE3 kernels every x86-64 CPU runs; Core2 where OpenBLAS's own pick is already Prescott.
  const other = (ownCore: string) => (ownCore.toLowerCase() === 'prescott' ? 'Core2' : 'Prescott');

  it('is what OpenBLAS runs, on the CPU it was measured on, in the main thread and in a worker thread', () => {
    const target = other(own());
    const addon = addonWithRecord('match', { cpu: cpuSignature(cpu!), chosen: target, gain: 2 });
    for (const worker of [false, true]) {
      const result = run(addon, { worker });
      expect(result.choice).toMatchObject({ source: 'measured', requested: target });
      expect(result.core.toLowerCase()).toBe(target.toLowerCase());
      expect(result.left, 'the variable is gone once OpenBLAS has loaded').toBeNull();
    }
  });

  it('is ignored on another CPU, when malformed, and under the user own OPENBLAS_CORETYPE', () => {
    const ownCore = own();
    const target = other(ownCore);
    const elsewhere = run(addonWithRecord('elsewhere', { cpu: 'GenuineIntel family 6 model 1: sse4_2', chosen: target }));
    expect(elsewhere).toEqual({ choice: { source: 'openblas' }, core: ownCore, left: null });
    const malformed = run(addonWithRecord('malformed', { cpu: cpuSignature(cpu!), chosen: 'Haswell; rm -rf /' }));
    expect(malformed).toEqual({ choice: { source: 'openblas' }, core: ownCore, left: null });
    const user = run(addonWithRecord('user', { cpu: cpuSignature(cpu!), chosen: target }), { coretype: ownCore });
    expect(user.choice).toEqual({ source: 'user', requested: ownCore });
    expect(user.core).toBe(ownCore);
    expect(user.left, "the user's own variable stays").toBe(ownCore);
  });
});
