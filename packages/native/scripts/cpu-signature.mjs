// The CPU as OpenBLAS's kernel choice depends on it: vendor, family, model and the vector flags. Shared by the
// install-time chooser and the addon's loader (src/blas-core-choice.ts imports it; tsup bundles it into dist).
import { readFileSync } from 'node:fs';

const VECTOR_FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512_bf16', 'avx512_fp16', 'amx_tile'];

/** The first processor of /proc/cpuinfo on Linux x86-64, else null. */
export function readCpu(text) {
  if (text === undefined) {
    if (process.platform !== 'linux' || process.arch !== 'x64') return null;
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return null;
    }
  }
  const first = text.split(/\n\s*\n/)[0] ?? '';
  const field = (name) => first.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim() ?? '';
  const flags = new Set(field('flags').split(/\s+/).filter(Boolean));
  return { vendor: field('vendor_id'), family: field('cpu family'), model: field('model'), flags };
}

export function cpuSignature(cpu) {
  return `${cpu.vendor} family ${cpu.family} model ${cpu.model}: ${VECTOR_FLAGS.filter((f) => cpu.flags.has(f)).join(' ')}`;
}
