import os from 'node:os';
import { z } from 'zod';

/** The machine a run trained on, as its cell record keeps it (validated on read). */
export const machineSchema = z
  .object({
    cpuModel: z.string(),
    cores: z.number().int(),
    totalMemoryBytes: z.number(),
    platform: z.string(),
    arch: z.string(),
  })
  .strict();

/** The machine a run trained on. */
export type MachineInfo = z.infer<typeof machineSchema>;

/** This machine, recorded with every attempt of a run (the report states the machines of its runs, not its own). */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    platform: os.platform(),
    arch: os.arch(),
  };
}
