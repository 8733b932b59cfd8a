// Entry of one pipeline stage's worker thread: builds the model on its own engine, then trains its
// parts on every batch that flows in, passing latents on to the next stage.
import { isStagedModel, resolveBackend, tf, type BackendChoice, type StagedModel } from '@localbp/core';
import { loadPlugin } from '@localbp/core/node';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createModel } from '../model-factory';
import { applyLearningRateScale } from '../learning-rate-schedule';
import { MemoryProbe } from '../memory-probe';
import { exportPartState, importPartState, type PackedPartState } from './part-state-transfer';
import { packTensor, transferList, unpackTensor, type PackedTensor } from './packed-tensor';
import { messagePortLink, type StageLink } from './stage-link';
import { stageWorkerSetupSchema, type StageFlowMessage, type StageReport, type StageWorkerSetup } from './stage-messages';

interface StageWorkerData {
  setup: unknown;
  state: PackedPartState;
  /** Where batches come from: the previous stage (absent for the first stage, fed by the coordinator). */
  upstream?: MessagePort;
  downstream?: MessagePort;
}

if (!parentPort) throw new Error('stage-worker.js runs only as a worker thread');
const coordinator: StageLink<StageFlowMessage, StageReport> = messagePortLink(parentPort);

async function boot(data: StageWorkerData, setup: StageWorkerSetup): Promise<void> {
  await resolveBackend(setup.backend as BackendChoice, { quiet: true });
  for (const source of setup.plugins) await loadPlugin(source);
  const model = createModel(setup.modelConfig, setup.data);
  if (!isStagedModel(model)) throw new Error(`a ${model.kind} model cannot be split into pipeline stages`);
  importPartState(model, data.state);
  const downstream = data.downstream ? messagePortLink<never, StageFlowMessage>(data.downstream) : null;
  const source = data.upstream ? messagePortLink<StageFlowMessage, never>(data.upstream) : coordinator;
  const runner = new StageRunner(model, setup, downstream);
  // Messages are handled strictly one after another: a stage's steps must not interleave.
  let chain: Promise<void> = Promise.resolve();
  source.onMessage((message) => {
    chain = chain.then(() => runner.handle(message)).catch(fail);
  });
  coordinator.post({ type: 'ready', stage: setup.stage });
}

class StageRunner {
  private readonly probe = new MemoryProbe();
  /** Seconds spent training since the last sync: how busy this stage keeps its core. */
  private busy = 0;
  private readonly unitCount: number;
  private readonly ownsHead: boolean;
  private readonly parts: number[];

  constructor(
    private readonly model: StagedModel,
    private readonly setup: StageWorkerSetup,
    private readonly downstream: StageLink<never, StageFlowMessage> | null,
  ) {
    this.unitCount = model.units.length;
    this.ownsHead = setup.last === this.unitCount;
    this.parts = Array.from({ length: setup.last - setup.first + 1 }, (_, i) => setup.first + i);
  }

  async handle(message: StageFlowMessage): Promise<void> {
    if (message.type === 'sync') {
      // On first: every batch this stage passed on is ahead of it in the next stage's queue, so the stages export
      // their states at the same time instead of one after the other.
      this.downstream?.post(message);
      const state = exportPartState(this.model, this.parts, { optimizers: !message.weightsOnly });
      const busySeconds = this.busy;
      this.busy = 0;
      coordinator.post({ type: 'state', stage: this.setup.stage, id: message.id, state, peakTensorBytes: this.probe.peakBytes, busySeconds }, [state.values.buffer as ArrayBuffer]);
      return;
    }
    const started = performance.now();
    applyLearningRateScale(this.model, message.scale);
    const input = unpackTensor(message.input);
    // Only the classifier's stage reads the readouts; the others pass them on untouched.
    const readouts = this.ownsHead ? message.readouts.map((r) => unpackTensor<tf.Rank.R2>(r)) : [];
    const ys = unpackTensor<tf.Rank.R1>(message.ys);
    const carried = Object.fromEntries(Object.entries(message.carried).map(([key, t]) => [key, unpackTensor(t)]));
    try {
      const result = await this.model.trainStage(
        { first: this.setup.first, last: Math.min(this.setup.last, this.unitCount - 1), head: this.ownsHead && message.head, readouts: !this.ownsHead },
        { input, readouts, ys, carried },
        { step: message.step, units: message.units, head: message.head, probe: () => this.probe.sample() },
      );
      this.probe.sample();
      try {
        coordinator.post({ type: 'done', stage: this.setup.stage, index: message.index, losses: result.losses });
        if (this.downstream) {
          if (!result.output) throw new Error(`stage ${this.setup.stage + 1} produced no latent for the next stage`);
          const output = packTensor(result.output);
          const own: PackedTensor[] = result.readouts.map(packTensor);
          const nextCarried = Object.fromEntries(Object.entries(result.carried ?? {}).map(([key, t]) => [key, packTensor(t)]));
          // The labels' buffer may back this stage's own label tensor: send a copy.
          const nextYs: PackedTensor = { ...message.ys, values: message.ys.values.slice() };
          const next: StageFlowMessage = { ...message, input: output, readouts: [...message.readouts, ...own], ys: nextYs, carried: nextCarried };
          this.downstream.post(next, transferList([output, ...own, ...message.readouts, nextYs, ...Object.values(nextCarried)]));
        }
      } finally {
        result.output?.dispose();
        for (const r of result.readouts) r.dispose();
        for (const t of Object.values(result.carried ?? {})) t.dispose();
        this.busy += (performance.now() - started) / 1000;
      }
    } finally {
      input.dispose();
      for (const r of readouts) r.dispose();
      ys.dispose();
      for (const t of Object.values(carried)) t.dispose();
    }
  }
}

function fail(error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const stage = (workerData as { setup?: { stage?: number } } | null)?.setup?.stage ?? -1;
  coordinator.post({ type: 'failed', stage, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
  // Let the report leave before the thread ends.
  setTimeout(() => process.exit(1), 50);
}

const data = workerData as StageWorkerData;
boot(data, stageWorkerSetupSchema.parse(data.setup)).catch(fail);
