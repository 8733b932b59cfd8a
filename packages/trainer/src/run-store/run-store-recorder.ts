import type { ModelVisualization, TrainableModel, UnitImages } from '@localbp/core';
import type * as tf from '@tensorflow/tfjs';
import type { Logs, TrainerCallbacks } from '../trainer-callbacks';
import { imageGridPng } from './image-grid-png';
import type { RunWriter } from './run-writer';

/** Options of `RunStoreRecorder`. */
export interface RunStoreRecorderOptions {
  /** The model being trained; its unit ids tag points with their cell, its `visualize` draws images. */
  model: TrainableModel;
  /** A fixed batch of input images (a few test images) to reconstruct each epoch; the caller owns it. */
  probeImages?: tf.Tensor;
  /**
   * A larger fixed batch for latent statistics (dead units are units silent on a whole batch: 8 probe
   * images overstate them). Default: the probe images. The caller owns it.
   */
  statsImages?: tf.Tensor;
  /** Global step to continue from (resume). */
  firstStep?: number;
  /** Generated samples per generative cell. Default 8. */
  samples?: number;
  /** Latent statistics every this many steps (images only at epoch ends). Default 50; 0 = epoch ends only. */
  statsEvery?: number;
}

/** Keys in batch logs that describe the batch rather than measure the model. */
const BOOKKEEPING = new Set(['size', 'batchesPerEpoch', 'epoch']);

/**
 * Records a training run into a run store: every batch and epoch log value with its step, epoch and
 * cell, and at each epoch end the model's reconstruction / sample grids and latent statistics.
 */
export class RunStoreRecorder implements TrainerCallbacks {
  private step: number;
  private readonly batchKeys = new Set<string>();
  private readonly unitIds: Set<string>;

  constructor(
    readonly writer: RunWriter,
    private readonly options: RunStoreRecorderOptions,
  ) {
    this.step = options.firstStep ?? 0;
    this.unitIds = new Set(options.model.units.map((u) => u.id));
  }

  /** Steps between latent statistics (0: epoch ends only); a worker pipeline syncs the model this often. */
  get statsEvery(): number {
    return this.options.statsEvery ?? 50;
  }

  /** The unit a key is about: `loss/cell-2` → `cell-2`, `goodness/pos/layer-1` → `layer-1`. */
  cellOf(key: string): string | null {
    for (const part of key.split('/')) if (this.unitIds.has(part)) return part;
    return null;
  }

  /** A fresh run starts with the untrained model's images and statistics, for a before/after view. */
  async onTrainBegin(): Promise<void> {
    if (this.step === 0) await this.recordVisuals(0, true);
  }

  async onBatchEnd(_batch: number, logs: Logs): Promise<void> {
    this.step++;
    const epoch = logs.epoch ?? 0;
    for (const [key, value] of Object.entries(logs)) {
      if (BOOKKEEPING.has(key)) continue;
      this.batchKeys.add(key);
      this.writer.log(key, value, { step: this.step, epoch, cell: this.cellOf(key) });
    }
    const every = this.statsEvery;
    if (every > 0 && this.step % every === 0) await this.recordVisuals(epoch, false);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const [key, value] of Object.entries(logs)) {
      // Epoch means of per-batch keys get their own series, so the two never interleave on a chart.
      const name = this.batchKeys.has(key) ? `epoch/${key}` : key;
      this.writer.log(name, value, { step: this.step, epoch, cell: this.cellOf(key) });
    }
    await this.recordVisuals(epoch, true);
    await this.writer.flush(true);
  }

  async onTrainEnd(): Promise<void> {
    await this.writer.flush(true);
  }

  private async recordVisuals(epoch: number, withImages: boolean): Promise<void> {
    const { model, probeImages } = this.options;
    if (!probeImages || !model.visualize) return;
    const visual = model.visualize(probeImages, { samples: this.options.samples ?? 8, seed: epoch + 1 });
    const pngs: Array<{ cell: string; kind: UnitImages['kind']; bytes: Uint8Array }> = [];
    try {
      for (const unit of withImages ? visual.images : []) {
        const rows = [unit.inputs, unit.images].filter((t): t is tf.Tensor => t !== undefined);
        const bytes = imageGridPng(
          rows.map((t) => ({ values: t.dataSync(), count: t.shape[0] ?? 1, shape: t.shape.slice(1), range: unit.range })),
        );
        pngs.push({ cell: unit.unitId, kind: unit.kind, bytes });
      }
    } finally {
      for (const unit of visual.images) {
        unit.images.dispose();
        unit.inputs?.dispose();
      }
    }
    for (const png of pngs) {
      await this.writer.artifact({ step: this.step, epoch, cell: png.cell, kind: png.kind, mime: 'image/png', bytes: png.bytes });
    }
    const stats = this.options.statsImages ? this.statisticsOn(this.options.statsImages, epoch) : visual.latents;
    for (const l of stats) {
      const at = { step: this.step, epoch, cell: l.unitId };
      this.writer.log(`latent/mean/${l.unitId}`, l.mean, at);
      this.writer.log(`latent/std/${l.unitId}`, l.std, at);
      if (!l.activity) continue;
      // Before normalization: the share of zero ReLU outputs, and of units silent on the whole probe batch.
      this.writer.log(`latent/zeros/${l.unitId}`, l.activity.zeroFraction, at);
      this.writer.log(`latent/dead/${l.unitId}`, l.activity.units ? l.activity.deadUnits / l.activity.units : 0, at);
    }
  }

  /** Latent statistics of every unit on `images`; the images it also draws are dropped at once. */
  private statisticsOn(images: tf.Tensor, epoch: number): ModelVisualization['latents'] {
    const visual = this.options.model.visualize!(images, { samples: 1, seed: epoch + 1 });
    for (const unit of visual.images) {
      unit.images.dispose();
      unit.inputs?.dispose();
    }
    return visual.latents;
  }
}
