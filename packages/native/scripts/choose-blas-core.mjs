#!/usr/bin/env node
// Picks OpenBLAS's kernel set for this CPU by measuring, once, right after the addon is built.
// OpenBLAS 0.3.21 (Debian 12) does not know CPUs newer than itself: on an Emerald Rapids Xeon it falls back to its
// SSE3 "Prescott" kernels, 4x slower than the AVX-512 ones the CPU runs. Forcing a kernel set blindly is no fix
// either: a set the CPU cannot run dies with SIGILL. So each candidate the CPU's flags allow runs in a child
// process (probe-blas-core.mjs) that checks its products against a float64 reference and times them; the fastest
// correct one (pick-blas-core.mjs: the rule, ties included), when it beats OpenBLAS's own choice by 10% or more, is
// written to build/Release/blas-core.json with this CPU's signature. The addon's loader sets OPENBLAS_CORETYPE from
// it only on a CPU with the same signature, and never over a user's own OPENBLAS_CORETYPE.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSignature, readCpu } from './cpu-signature.mjs';
import { pickBlasCore } from './pick-blas-core.mjs';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const addonDir = path.join(packageDir, 'build', 'Release');
const output = path.join(addonDir, 'blas-core.json');

/** Kernel sets of OpenBLAS's DYNAMIC_ARCH builds that this CPU's flags allow, in the order that breaks ties. */
function candidates(cpu) {
  const has = (flag) => cpu.flags.has(flag);
  const list = [];
  if (['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'].every(has)) {
    // SkylakeX before Cooperlake: its products are the same speed, and it needs fewer of the CPU's features.
    list.push('SkylakeX');
    if (has('avx512_bf16')) list.push('Cooperlake');
  }
  if (has('avx2') && has('fma')) list.push(cpu.vendor === 'AuthenticAMD' ? 'Zen' : 'Haswell');
  return list;
}

function probe(coretype) {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', LOCALBP_BLAS_THREADS: '1' };
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  else delete env.OPENBLAS_CORETYPE;
  const r = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'probe-blas-core.mjs')], { env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { requested: coretype, failed: r.signal ?? `exit ${r.status}` };
  try {
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1));
    const mean = Math.exp(result.gflops.reduce((s, g) => s + Math.log(g), 0) / result.gflops.length);
    return { requested: coretype, core: result.core, error: result.error, gflops: Number(mean.toFixed(1)) };
  } catch {
    return { requested: coretype, failed: 'unreadable probe output' };
  }
}

function chooseBlasCore() {
  const cpu = readCpu();
  if (!cpu) return { skipped: 'not a Linux x86-64 CPU: OpenBLAS chooses its kernels itself' };
  const own = probe(undefined);
  if (own.failed) return { skipped: `the addon did not load in a probe (${own.failed})` };
  const tried = [own];
  for (const coretype of candidates(cpu)) {
    const result = probe(coretype);
    // A name this OpenBLAS does not know, or one it maps to the set already tried, measures nothing new.
    if (!result.failed && tried.some((t) => t.core === result.core)) continue;
    tried.push(result);
  }
  // Two more rounds, every set again in the same order, each keeping its best figure: a shared VM slows a whole
  // probe now and then, and one slow probe must not decide.
  for (let round = 0; round < 2; round++) {
    for (const t of tried) {
      if (t.failed) continue;
      const again = probe(t.requested);
      if (!again.failed && again.core === t.core && again.gflops > t.gflops) t.gflops = again.gflops;
    }
  }
  const best = pickBlasCore(own, tried.slice(1));
  const chosen = best?.requested ?? null;
  return { cpu: cpuSignature(cpu), ownCore: own.core, chosen, gain: best ? Number((best.gflops / own.gflops).toFixed(2)) : 1, tried };
}

if (!existsSync(path.join(addonDir, 'localbp_native.node'))) {
  console.log('@localbp/native: no addon built, no OpenBLAS kernel set to choose');
  process.exit(0);
}
const choice = chooseBlasCore();
writeFileSync(output, `${JSON.stringify(choice, null, 2)}\n`);
if (choice.skipped) console.log(`@localbp/native: OpenBLAS kernels left to OpenBLAS (${choice.skipped})`);
else if (choice.chosen) console.log(`@localbp/native: OpenBLAS kernels ${choice.chosen} (${choice.gain}x the ${choice.ownCore} set OpenBLAS picks itself on this CPU)`);
else console.log(`@localbp/native: OpenBLAS kernels: its own choice, ${choice.ownCore}, is the fastest measured`);
