import type { CellRecord } from './grid-cell-state';
import type { MachineInfo } from './machine-info';
import { spread, type Spread } from './summary-statistics';

/**
 * Where and with what the runs trained, as their files record it: nothing here comes from the machine or the clock
 * the report is written with, so regenerating a report from the same runs gives the same bytes.
 */
export interface ReportEnvironment {
  command: string;
  /** Engines the runs report (`backend` of each summary). */
  backends: string[];
  /** Distinct machines the runs' records name (empty: runs recorded before machines were). */
  machines: MachineInfo[];
  /** Runs whose record names no machine. */
  unrecordedMachines: number;
  versions: Record<string, string>;
  /** 1-minute load average when the runs started (null: not recorded). */
  loadAverage: Spread | null;
}

/** The environment of a set of finished runs, from their summaries and cell records. */
export function recordedEnvironment(
  command: string,
  summaries: ReadonlyArray<{ backend: string; versions?: Record<string, string> }>,
  records: readonly CellRecord[],
  extraVersions: Record<string, string>,
): ReportEnvironment {
  const versions: Record<string, string> = {};
  for (const s of summaries) Object.assign(versions, s.versions ?? {});
  Object.assign(versions, extraVersions);
  const machines = new Map<string, MachineInfo>();
  for (const r of records) if (r.machine) machines.set(JSON.stringify(r.machine), r.machine);
  return {
    command,
    backends: [...new Set(summaries.map((s) => s.backend))].sort(),
    machines: [...machines.values()],
    unrecordedMachines: records.filter((r) => !r.machine).length,
    versions,
    loadAverage: spread(records.flatMap((r) => r.loadAverages)),
  };
}

/** The Setup lines about machines and load, shared by every report. */
export function machineLines(env: ReportEnvironment): string[] {
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
  const lines = env.machines.map(
    (m) => `- Machine: ${m.cpuModel}, ${m.cores} cores, ${gib(m.totalMemoryBytes)} GiB RAM (${m.platform}/${m.arch})`,
  );
  if (env.unrecordedMachines) lines.push(`- Machine: not recorded by ${env.unrecordedMachines} run(s) (made before runs recorded it)`);
  const cores = Math.min(...env.machines.map((m) => m.cores));
  if (env.loadAverage) {
    lines.push(
      `- Machine load (1-minute load average when each run started): mean ${env.loadAverage.mean.toFixed(1)}, ` +
        `range ${env.loadAverage.min.toFixed(1)}–${env.loadAverage.max.toFixed(1)}` +
        (env.loadAverage.max > cores ? ' — the machine was shared with other work, so seconds per epoch are inflated and vary.' : '.'),
    );
  }
  return lines;
}
