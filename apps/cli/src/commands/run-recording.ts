import type { JsonValue, RunStore, TrainableModel } from '@localbp/core';
import { splitToTensors, subset, type LabeledSplit } from '@localbp/datasets';
import { RunStoreRecorder, RunWriter } from '@localbp/trainer';
import path from 'node:path';

/** Probe images reconstructed at every epoch end for the dashboard. */
const PROBE_IMAGES = 8;
// Latent statistics (dead units: silent on the whole batch) need more than the probe's 8 images.
const STATS_IMAGES = 256;

export interface RecordingRequest {
  store: RunStore;
  name: string;
  config: { [key: string]: JsonValue };
  backend: string;
  versions: Record<string, string>;
  /** The run to continue when resuming, if the store still has it. */
  resumeRunId?: string;
}

/** The command line as typed, for the runs table (arguments with spaces quoted). */
export function commandLine(argv: readonly string[] = process.argv.slice(2)): string {
  return ['localbp', ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`))].join(' ');
}

/** Starts (or, on resume, continues) the store's record of this run. */
export async function beginRecording(request: RecordingRequest): Promise<RunWriter> {
  const { store, resumeRunId } = request;
  if (resumeRunId && (await store.getRun(resumeRunId))) return RunWriter.resume(store, resumeRunId);
  return RunWriter.begin(store, {
    name: request.name,
    command: commandLine(),
    config: request.config,
    backend: request.backend,
    versions: request.versions,
  });
}

/** Trainer callbacks recording into the store, with the first test images as the reconstruction probe. */
export function recorderFor(
  writer: RunWriter,
  model: TrainableModel,
  test: LabeledSplit,
  firstStep: number,
): { recorder: RunStoreRecorder; dispose: () => void } {
  const probe = test.count > 0 ? splitToTensors(subset(test, Math.min(PROBE_IMAGES, test.count)), { flatten: false }) : null;
  probe?.ys.dispose();
  const stats = test.count > PROBE_IMAGES ? splitToTensors(subset(test, Math.min(STATS_IMAGES, test.count)), { flatten: false }) : null;
  stats?.ys.dispose();
  const recorder = new RunStoreRecorder(writer, {
    model,
    firstStep,
    ...(probe ? { probeImages: probe.xs } : {}),
    ...(stats ? { statsImages: stats.xs } : {}),
  });
  return {
    recorder,
    dispose: () => {
      probe?.xs.dispose();
      stats?.xs.dispose();
    },
  };
}

/** The run's name in the runs table: its --out path under `runs/` (`exp/mnist/lbp-ae/seed-1`), else its folder name. */
export function runName(out: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, path.resolve(cwd, out));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return path.basename(path.resolve(cwd, out));
  const parts = relative.split(path.sep);
  return (parts[0] === 'runs' && parts.length > 1 ? parts.slice(1) : parts).join('/');
}
