import os from 'node:os';
import type { ReportEnvironment } from './render-report';

/** The machine the grid ran on, as the report states it. */
export function machineInfo(): ReportEnvironment['machine'] {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    platform: os.platform(),
    arch: os.arch(),
  };
}
