import { tf } from '@localbp/core';
import type { LabeledSplit } from '@localbp/datasets';
import { createModel } from '@localbp/trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalbpNumPyClient, modelParameters } from './localbp-numpy-client';
import { decodeNpy, encodeNpy } from './npy-codec';

const COUNT = 32;
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

beforeAll(async () => {
  await tf.ready();
});

describe('LocalbpNumPyClient', () => {
  it('sends parameters in namedWeights order (cells bottom-up, then head) and takes them back by position', async () => {
    const model = createModel(config, { imageShape: [4, 4, 1], numClasses: 2 });
    const names = model.namedWeights().map((w) => w.name);
    const lastCell1 = names.length - 1 - [...names].reverse().findIndex((n) => n.startsWith('cell-1'));
    expect(names.findIndex((n) => n.startsWith('cell-2'))).toBeGreaterThan(lastCell1);
    expect(names.at(-1)!.startsWith('head')).toBe(true);
    const client = new LocalbpNumPyClient({ model, shard, evalSplit: shard });
    const params = (await client.getParameters()).map((p) => decodeNpy(encodeNpy(p)));
    expect(params.map((p) => p.shape)).toEqual(model.namedWeights().map((w) => w.tensor.shape));

    const before = tf.memory().numTensors;
    const fit = await client.fit(params, { local_epochs: 1, batch_size: 8 });
    expect(fit.numExamples).toBe(COUNT);
    expect(fit.parameters).toEqual(modelParameters(model));
    expect(fit.parameters[0]!.values).not.toEqual(params[0]!.values);
    const afterFirst = tf.memory().numTensors;
    await client.fit(params, { local_epochs: 1, batch_size: 8, proximal_mu: 0.1 });
    const ev = await client.evaluate(fit.parameters);
    expect(ev.numExamples).toBe(COUNT);
    expect(ev.metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(ev.loss)).toBe(true);
    // Optimizer slots are made once (first fit); later tasks must not grow memory.
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(afterFirst).toBeGreaterThanOrEqual(before);
  });

  it('refuses arrays that are not this model, naming the first that differs', async () => {
    const model = createModel(config, { imageShape: [4, 4, 1], numClasses: 2 });
    const client = new LocalbpNumPyClient({ model, shard, evalSplit: shard });
    const params = await client.getParameters();
    await expect(client.evaluate(params.slice(1))).rejects.toThrow(/got \d+ arrays; this model has/);
    const wrong = params.map((p, i) => (i === 0 ? { shape: [1, p.values.length], values: p.values } : p));
    await expect(client.fit(wrong, {})).rejects.toThrow(/array 0 \(.*\) has shape/);
    await expect(client.fit(params, { local_epochs: 0 })).rejects.toThrow(/local_epochs must be a positive integer/);
  });
});
