import { describe, expect, it } from 'vitest';
import type { CellRecord } from './grid-cell-state';
import { machineLines, recordedEnvironment } from './recorded-environment';

const machine = { cpuModel: 'AMD EPYC', cores: 2, totalMemoryBytes: 2 ** 34, platform: 'linux', arch: 'x64' };
const record = (loads: number[], withMachine: boolean): CellRecord => ({
  dataset: 'mnist', model: 'lbp-ae', seed: 1, trainArgs: ['train'], resumes: 0, loadAverages: loads, ...(withMachine ? { machine } : {}),
});

describe('recordedEnvironment', () => {
  it('states the machines, load and versions the runs recorded, never the current clock or machine', () => {
    const env = recordedEnvironment('localbp experiment', [{ backend: 'wasm', versions: { tfjs: '4.22.0' } }, { backend: 'native' }], [record([1, 3], true), record([5], true), record([2], false)], { localbp: '0.1.0' });
    expect(env).toEqual({
      command: 'localbp experiment', backends: ['native', 'wasm'], machines: [machine], unrecordedMachines: 1,
      versions: { tfjs: '4.22.0', localbp: '0.1.0' }, loadAverage: { n: 4, mean: 2.75, std: expect.any(Number), min: 1, max: 5 },
    });
    expect(machineLines(env)).toEqual([
      '- Machine: AMD EPYC, 2 cores, 16.0 GiB RAM (linux/x64)',
      '- Machine: not recorded by 1 run(s) (made before runs recorded it)',
      '- Machine load (1-minute load average when each run started): mean 2.8, range 1.0–5.0 — the machine was shared with other work, so seconds per epoch are inflated and vary.',
    ]);
  });
});
