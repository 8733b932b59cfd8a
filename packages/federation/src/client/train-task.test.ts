import { tf, type AdamWOptimizer } from '@localbp/core';
import { countLeakedTensors } from '@localbp/core/testing';
import type { LabeledSplit } from '@localbp/datasets';
import { createModel } from '@localbp/trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskMessage } from '../protocol/messages';
import type { WeightArray } from '../protocol/weight-array';
import { trainTask, upstreamUnits } from './train-task';

const COUNT = 64;
const shard: LabeledSplit = {
  name: 'train',
  images: Uint8Array.from({ length: COUNT * 16 }, (_, i) => (i * 37) % 256),
  labels: Uint8Array.from({ length: COUNT }, (_, i) => i % 2),
  count: COUNT,
  imageShape: [4, 4, 1],
  numClasses: 2,
  classNames: ['a', 'b'],
};
const config = { model: 'lbp', cells: [{ type: 'ae' }, { type: 'ae' }], width: 8, head: { hidden: [] }, seed: 3 };

function snapshot(weights: ReturnType<ReturnType<typeof createModel>['namedWeights']>): WeightArray[] {
  return weights.map((w) => ({ name: w.name, shape: [...w.tensor.shape], values: Float32Array.from(w.tensor.dataSync()) }));
}

function task(round: number, train: string[], proximalMu = 0, optimizerState: TaskMessage['optimizerState'] = 'keep'): TaskMessage {
  return { type: 'task', round, taskId: `t${round}`, deadlineMs: 1000, train, versions: { 'cell-1': round - 1, 'cell-2': 0, head: 0 }, localEpochs: 1, batchSize: 16, proximalMu, optimizerState };
}

beforeAll(async () => {
  await tf.ready();
});

describe('trainTask', () => {
  it('trains only the assigned units, pins upstream versions, and leaks no tensors across rounds', async () => {
    const model = createModel(config, { imageShape: [4, 4, 1], numClasses: 2 });
    const global = snapshot(model.namedWeights());
    const progress = { step: 0, epochsDone: 0 };
    // The first round warms up optimizer slots (created once); later rounds must not grow memory.
    await trainTask(model, shard, task(1, ['cell-2']), global, progress);
    let update: Awaited<ReturnType<typeof trainTask>> | undefined;
    const leaked = await countLeakedTensors(async () => {
      for (let round = 2; round <= 4; round++) update = await trainTask(model, shard, task(round, ['cell-2']), global, progress);
    });
    expect(leaked).toBe(0);
    expect(progress).toEqual({ step: 16, epochsDone: 4 });
    expect(update!.message.units).toEqual([{ id: 'cell-2', baseVersion: 0, upstreamVersions: { 'cell-1': 3 } }]);
    expect(update!.tensors.every((t) => t.name.startsWith('cell-2/'))).toBe(true);
    // Frozen cell-1 stays at the global weights; cell-2 moved.
    const after = snapshot(model.namedWeights());
    const changed = (prefix: string) => after.filter((w) => w.name.startsWith(prefix)).some((w) => w.values.some((v, i) => v !== global.find((g) => g.name === w.name)!.values[i]));
    expect(changed('cell-1/')).toBe(false);
    expect(changed('cell-2/')).toBe(true);
    expect(changed('head/')).toBe(false);
    expect(upstreamUnits(model, 'head')).toEqual(['cell-1', 'cell-2']);
    model.dispose();
  });

  it('starts every task with fresh optimizer state when the server says reset, without leaking', async () => {
    const steps = async (state: TaskMessage['optimizerState']) => {
      const model = createModel(config, { imageShape: [4, 4, 1], numClasses: 2 });
      const global = snapshot(model.namedWeights());
      const progress = { step: 0, epochsDone: 0 };
      await trainTask(model, shard, task(1, ['cell-1', 'cell-2', 'head'], 0, state), global, progress);
      const leaked = await countLeakedTensors(async () => {
        await trainTask(model, shard, task(2, ['cell-1', 'cell-2', 'head'], 0, state), global, progress);
      });
      const counts = model.optimizerSlots().map((s) => (s.optimizer as AdamWOptimizer).exportState(s.variables()));
      const result = { leaked, steps: counts.map((c) => c.step) };
      for (const c of counts) for (const t of c.tensors) t.dispose();
      model.dispose();
      return result;
    };
    // 64 examples in batches of 16: 4 optimizer steps per task.
    expect(await steps('reset')).toEqual({ leaked: 0, steps: [4, 4, 4] });
    expect(await steps('keep')).toEqual({ leaked: 0, steps: [8, 8, 8] });
  });

  it('FedProx keeps the update closer to the global weights', async () => {
    const distance = async (mu: number) => {
      const model = createModel(config, { imageShape: [4, 4, 1], numClasses: 2 });
      const global = snapshot(model.namedWeights());
      const update = await trainTask(model, shard, task(1, ['cell-1', 'cell-2', 'head'], mu), global, { step: 0, epochsDone: 0 }, { proximalStepSize: 0.05 });
      model.dispose();
      let sq = 0;
      for (const w of update.tensors) {
        const g = global.find((x) => x.name === w.name)!;
        w.values.forEach((v, i) => (sq += (v - g.values[i]!) ** 2));
      }
      return Math.sqrt(sq);
    };
    expect(await distance(5)).toBeLessThan(await distance(0));
  });
});
