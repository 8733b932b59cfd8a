import { isBackendChoice, resolveBackend, tf, type BackendChoice, type ResolvedBackend } from '@localbp/core';
import { loadDataset, subset, type LoadedDataset } from '@localbp/datasets';
import {
  CheckpointError,
  evaluateAccuracy,
  createModel,
  FfModel,
  LbpModel,
  BpModel,
  parameterCount,
  LocalTrainer,
  readCheckpointManifest,
  loadCheckpointInto,
  saveCheckpoint,
  scheduleByName,
  type CheckpointManifest,
  type FitResult,
} from '@localbp/trainer';
import { DEFAULT_STORE_PATH, openRunStore, type SqliteRunStore } from '@localbp/trainer/run-store';
import type { JsonValue } from '@localbp/core';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadPlugins } from '../load-plugins';
import { progressReporter } from '../progress-reporter';
import { beginRecording, recorderFor, runName } from './run-recording';
import type { TrainPlan } from '../train-options';

export interface TrainSummary {
  model: string;
  dataset: string;
  backend: string;
  status: FitResult['status'];
  schedule: string;
  epochs: number;
  batchSize: number;
  seed: number;
  trainExamples: number;
  testExamples: number;
  testAccuracy: number | null;
  epochSeconds: number[];
  epochAccuracy: Array<number | null>;
  /** Per-epoch test accuracy of each alternative inference mode (FF: `goodness` besides `linear`). */
  inferenceAccuracy?: Record<string, Array<number | null>>;
  totalSeconds: number;
  peakTensorBytes: number;
  peakRssBytes: number;
  /** Worker threads the cells trained in (1: the main thread), and the parts each stage held. */
  workers: number;
  stages?: string[][];
  /** Seconds each stage spent training (near the epoch time when the stages keep their cores busy). */
  stageBusySeconds?: number[];
  parameters: number;
  cells: Array<{ id: string; type: string; width?: number; objective?: string; loss: number | null }>;
  head: { hidden: number[] };
  out: string;
  checkpoint: string;
  versions: Record<string, string>;
}

/** What a checkpoint records about the run, so that `--resume` needs no other flags. */
interface RunFacts {
  dataset: string;
  dataDir?: string;
  trainLimit?: number;
  testLimit?: number;
  backendChoice: BackendChoice;
  /** The run's id in the run store, so `--resume` continues the same record. */
  storeRunId?: string;
  /** Plugins the run's model needs, loaded again on resume. */
  plugins?: string[];
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function defaultOut(plan: TrainPlan): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const name = 'cells' in plan.model ? plan.model.cells.map((c) => c.type).join('-') : `ff-${plan.model.objective ?? 'ff'}`;
  return path.join('runs', `${plan.dataset}-${name}-${stamp}`);
}

function loadData(facts: RunFacts): { data: LoadedDataset; train: LoadedDataset['train']; test: LoadedDataset['test'] } {
  const data = loadDataset(facts.dataset, facts.dataDir ? { dataDir: facts.dataDir } : {});
  const train = facts.trainLimit ? subset(data.train, facts.trainLimit) : data.train;
  const test = facts.testLimit ? subset(data.test, facts.testLimit) : data.test;
  return { data, train, test };
}

/** What `--resume DIR` asks for; `backend` only when --backend was given explicitly. */
export interface ResumeRequest {
  dir: string;
  backend?: BackendChoice;
}

/** `localbp train`: resolve the engine, load data, build or resume the model, train, report. */
export async function runTrain(plan: TrainPlan, resume: ResumeRequest | null): Promise<{ summary: TrainSummary; exitCode: number }> {
  let manifest: CheckpointManifest | null = null;
  let facts: RunFacts;
  if (resume) {
    manifest = await readCheckpointManifest(resume.dir);
    const run = manifest.run as Partial<RunFacts>;
    if (typeof run.dataset !== 'string') throw new CheckpointError(`checkpoint ${resume.dir} does not record its dataset`);
    facts = {
      dataset: run.dataset,
      ...(run.dataDir ? { dataDir: run.dataDir } : {}),
      ...(run.trainLimit ? { trainLimit: run.trainLimit } : {}),
      ...(run.testLimit ? { testLimit: run.testLimit } : {}),
      // The recorded choice, not the flag's default: resuming an `--backend cpu` run stays on cpu.
      backendChoice: resume.backend ?? (isBackendChoice(run.backendChoice) ? run.backendChoice : 'auto'),
      ...(typeof run.storeRunId === 'string' ? { storeRunId: run.storeRunId } : {}),
      ...(Array.isArray(run.plugins) ? { plugins: run.plugins.filter((p): p is string => typeof p === 'string') } : {}),
    };
    if (facts.plugins?.length) await loadPlugins(facts.plugins);
  } else {
    facts = {
      dataset: plan.dataset,
      ...(plan.dataDir ? { dataDir: plan.dataDir } : {}),
      ...(plan.trainLimit ? { trainLimit: plan.trainLimit } : {}),
      ...(plan.testLimit ? { testLimit: plan.testLimit } : {}),
      backendChoice: plan.backend,
      ...(plan.plugins?.length ? { plugins: plan.plugins } : {}),
    };
  }

  // A bad --store fails now, before any data is loaded or trained.
  const store: SqliteRunStore | null = plan.store === null ? null : await openRunStore(plan.store);
  try {
    return await trainAndRecord(plan, resume, manifest, facts, store);
  } finally {
    await store?.close();
  }
}

async function trainAndRecord(
  plan: TrainPlan,
  resume: ResumeRequest | null,
  manifest: CheckpointManifest | null,
  facts: RunFacts,
  store: SqliteRunStore | null,
): Promise<{ summary: TrainSummary; exitCode: number }> {
  const backend: ResolvedBackend = await resolveBackend(facts.backendChoice, { quiet: true });
  log(`backend: ${backend.name} (${backend.reason})`);
  const { data, train, test } = loadData(facts);
  log(`dataset: ${data.info.name}, ${train.count} train / ${test.count} test examples (${data.info.source})`);

  const out = resume?.dir ?? plan.out ?? defaultOut(plan);
  // Fail on an unwritable --out now, not after the first (possibly hour-long) epoch.
  await fs.mkdir(out, { recursive: true });
  // A config file that reproduces this run: `localbp train --config <out>/config.json`.
  if (!resume && plan.resolvedConfig) await fs.writeFile(path.join(out, 'config.json'), `${JSON.stringify(plan.resolvedConfig, null, 2)}\n`);
  const modelConfig = manifest ? manifest.model : plan.model;
  const fit = manifest ? manifest.fit : plan.fit;
  const model = createModel(modelConfig, { imageShape: data.info.imageShape, numClasses: data.info.numClasses });
  const json = plan.json;
  try {
    let from;
    let history;
    if (manifest) {
      const restored = await loadCheckpointInto(out, model, manifest);
      from = restored.progress;
      history = restored.history;
      const phaseCount = scheduleByName(fit.schedule).phases(model.units.length, fit.epochs).length;
      log(
        from.phase >= phaseCount
          ? `${out} has already completed: reporting its results`
          : `resuming ${out} at phase ${from.phase + 1}, epoch ${from.epoch + 1}, batch ${from.batch}`,
      );
    }
    const versions = { ...backend.versions, node: process.version };
    const writer = store
      ? await beginRecording({
          store,
          name: runName(out),
          config: JSON.parse(JSON.stringify({ model: model.config, fit, data: facts, out: path.resolve(out) })) as { [key: string]: JsonValue },
          backend: backend.name,
          versions,
          ...(facts.storeRunId ? { resumeRunId: facts.storeRunId } : {}),
        })
      : null;
    if (writer && store) log(`recording run ${writer.runId} in ${store.location} (view: localbp dashboard${plan.store === DEFAULT_STORE_PATH ? '' : ` --store ${plan.store}`})`);
    const runRecord = { ...facts, backend: backend.name, versions, ...(writer ? { storeRunId: writer.runId } : {}) };
    const recording = writer ? recorderFor(writer, model, test, from?.step ?? 0) : null;
    const controller = new AbortController();
    let interrupts = 0;
    let firstInterruptAt = 0;
    const onSigint = () => {
      // One Ctrl-C can arrive twice (the terminal signals the process group and `localbp experiment` passes it on).
      if (interrupts > 0 && performance.now() - firstInterruptAt < 1000) return;
      interrupts++;
      if (interrupts === 1) firstInterruptAt = performance.now();
      if (interrupts > 1) {
        log('second interrupt: exiting without a checkpoint');
        process.exit(130);
      }
      log('\ninterrupt: finishing the current batch, then writing a checkpoint (Ctrl-C again to quit at once)');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    const trainer = new LocalTrainer(model);
    const started = performance.now();
    let peakRss = process.memoryUsage().rss;
    const rssTimer = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 250);
    // A resumed run that has nothing left to train keeps its checkpoint as is.
    let checkpointPath = manifest ? path.join(out, 'checkpoint.json') : '';
    const writeCheckpoint = async (progress: FitResult['progress'], records: FitResult['epochs']) => {
      checkpointPath = await saveCheckpoint(out, model, { fit, progress, history: records, run: runRecord });
    };
    let result: FitResult;
    try {
      result = await trainer.fit(train, {
        ...fit,
        test,
        signal: controller.signal,
        callbacks: recording ? [progressReporter(), recording.recorder] : progressReporter(),
        onProgress: writeCheckpoint,
        pipeline: {
          workers: plan.workers,
          // The recorder reads the model for latent statistics every few steps: it must be current then.
          ...(recording ? { syncEvery: recording.recorder.statsEvery } : {}),
          backend: backend.name,
          ...(facts.plugins?.length ? { plugins: facts.plugins } : {}),
          onPlan: (p) =>
            log(
              `workers: ${p.stages.length} stages, ${p.stages.map((s) => s.parts.join(' + ')).join(' | ')} ` +
                `(measured ms per step: ${p.partSeconds.map((x) => (x * 1000).toFixed(1)).join(', ')})`,
            ),
        },
        ...(from ? { from } : {}),
        ...(history ? { history } : {}),
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'PipelineStageError') {
        log(checkpointPath ? `the last checkpoint is intact: continue with localbp train --resume ${out}` : 'no checkpoint was written before the failure');
      }
      await writer?.event('error', { message: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
      await writer?.finish('failed').catch(() => undefined);
      throw err;
    } finally {
      recording?.dispose();
      clearInterval(rssTimer);
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    let testAccuracy = result.testAccuracy ?? null;
    if (result.status === 'completed' && testAccuracy === null) testAccuracy = evaluateAccuracy(model, test);
    if (result.pipeline) log(`workers: stages busy ${result.pipeline.busySeconds.map((b) => `${b.toFixed(1)} s`).join(', ')} of ${result.epochs.reduce((n, e) => n + e.seconds, 0).toFixed(1)} s training`);
    if (result.status === 'interrupted') log(`checkpoint written to ${out}; continue with: localbp train --resume ${out}`);
    const summary: TrainSummary = {
      model: model.kind,
      dataset: facts.dataset,
      backend: backend.name,
      status: result.status,
      schedule: fit.schedule,
      epochs: fit.epochs,
      batchSize: fit.batchSize,
      seed: model.config.seed,
      trainExamples: train.count,
      testExamples: test.count,
      testAccuracy,
      epochSeconds: result.epochs.map((e) => Number(e.seconds.toFixed(3))),
      epochAccuracy: result.epochs.map((e) => e.testAccuracy ?? null),
      ...(model.alternativeInference?.length
        ? {
            inferenceAccuracy: Object.fromEntries(
              model.alternativeInference.map((mode) => [mode, result.epochs.map((e) => e.metrics?.[`testAccuracy/${mode}`] ?? null)]),
            ),
          }
        : {}),
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      peakTensorBytes: result.peakTensorBytes,
      peakRssBytes: peakRss,
      workers: result.pipeline?.stages.length ?? 1,
      ...(result.pipeline
        ? { stages: result.pipeline.stages.map((s) => s.parts), stageBusySeconds: result.pipeline.busySeconds.map((b) => Number(b.toFixed(3))) }
        : {}),
      parameters: parameterCount(model),
      cells: model.units.map((u, i) => {
        const spec = model instanceof LbpModel || model instanceof FfModel || model instanceof BpModel ? model.cells[i]!.spec : undefined;
        return {
          id: u.id,
          type: u.type,
          ...(spec ? { width: spec.width, objective: spec.objective } : {}),
          loss: Number.isFinite(result.cellLosses[i]) ? result.cellLosses[i]! : null,
        };
      }),
      head: { hidden: model instanceof LbpModel || model instanceof BpModel ? model.config.head.hidden : [] },
      out,
      checkpoint: checkpointPath,
      versions,
    };
    await fs.writeFile(path.join(out, 'summary.json'), JSON.stringify({ ...summary, config: model.config }, null, 2));
    if (writer) {
      if (checkpointPath) {
        await writer.artifact({ step: result.progress.step, epoch: Math.max(0, result.progress.epochsDone - 1), cell: null, kind: 'checkpoint', mime: 'application/json', path: path.resolve(checkpointPath) });
      }
      await writer.event('summary', JSON.parse(JSON.stringify(summary)) as JsonValue);
      await writer.finish(result.status);
    }
    if (!json) {
      process.stdout.write(
        `${summary.status === 'completed' ? 'done' : 'interrupted'}: test accuracy ${
          testAccuracy === null ? 'n/a' : `${(testAccuracy * 100).toFixed(2)}%`
        } (${summary.dataset}, ${summary.cells.map((c) => c.type).join(',')}, ${summary.schedule}, backend ${summary.backend}); run saved in ${out}\n`,
      );
    }
    return { summary, exitCode: result.status === 'interrupted' ? 130 : 0 };
  } finally {
    model.dispose();
    tf.disposeVariables();
  }
}
