export interface CpuDescription {
  vendor: string;
  family: string;
  model: string;
  flags: Set<string>;
}
export function readCpu(text?: string): CpuDescription | null;
export function cpuSignature(cpu: CpuDescription): string;
