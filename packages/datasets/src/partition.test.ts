import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { labelHistogram, type LabeledSplit } from './labeled-split';
import { loadMnist } from './mnist';
import {
  clientShard,
  formatPartitionSpec,
  parsePartitionSpec,
  partitionLabels,
  sampleDirichlet,
  selectExamples,
  type Partition,
  type PartitionSpec,
} from './partition';
import { SeededRandom } from './seeded-random';

let labels: Uint8Array;
let train: LabeledSplit;

beforeAll(() => {
  train = loadMnist().train;
  labels = train.labels;
});

/** Asserts the partition is a disjoint cover of 0..count-1 and returns per-client label histograms. */
function expectExactCover(part: Partition, count: number): void {
  const seen = new Uint8Array(count);
  for (const client of part.clients) for (const i of client) seen[i]! += 1;
  expect(seen.every((n) => n === 1)).toBe(true);
  expect(part.clients.reduce((n, c) => n + c.length, 0)).toBe(count);
}

function histograms(part: Partition): number[][] {
  return part.clients.map((c) => {
    const h = new Array<number>(10).fill(0);
    for (const i of c) h[labels[i]!]! += 1;
    return h;
  });
}

/** Mean over clients of the largest single-class share: 0.1-ish for IID MNIST, near 1 for one class per client. */
function meanTopShare(part: Partition): number {
  const shares = histograms(part).map((h) => Math.max(...h) / h.reduce((a, b) => a + b, 0));
  return shares.reduce((a, b) => a + b, 0) / shares.length;
}

describe('parsePartitionSpec', () => {
  it('reads the three CLI spellings and writes them back', () => {
    const specs: Array<[string, PartitionSpec]> = [
      ['iid', { kind: 'iid' }],
      ['dirichlet:0.5', { kind: 'dirichlet', alpha: 0.5 }],
      ['shards:2', { kind: 'shards', shardsPerClient: 2 }],
    ];
    for (const [text, spec] of specs) {
      expect(parsePartitionSpec(text)).toEqual(spec);
      expect(formatPartitionSpec(spec)).toBe(text);
    }
  });

  it('names the problem in bad specs', () => {
    expect(() => parsePartitionSpec('dirichlet:-1')).toThrow(/α must be a positive number/);
    expect(() => parsePartitionSpec('dirichlet')).toThrow(/α must be a positive number/);
    expect(() => parsePartitionSpec('shards:1.5')).toThrow(/integer ≥ 1/);
    expect(() => parsePartitionSpec('random')).toThrow(/expected iid, dirichlet:ALPHA or shards:K/);
    expect(() => parsePartitionSpec('iid:3')).toThrow(DatasetError);
  });
});

describe('partitionLabels on the 60 000 MNIST training labels', () => {
  it('IID: every example once, sizes within one, every client close to the global label mix', () => {
    const part = partitionLabels(labels, 10, 7, { kind: 'iid' }, 1);
    expectExactCover(part, labels.length);
    const sizes = part.clients.map((c) => c.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    const global = labelHistogram(train).map((n) => n / train.count);
    for (const h of histograms(part)) {
      const total = h.reduce((a, b) => a + b, 0);
      h.forEach((n, k) => expect(Math.abs(n / total - global[k]!)).toBeLessThan(0.02));
    }
  });

  it('Dirichlet: every example once, non-empty clients, skew that grows as α shrinks', () => {
    const skewed = partitionLabels(labels, 10, 10, { kind: 'dirichlet', alpha: 0.1 }, 1);
    const half = partitionLabels(labels, 10, 10, { kind: 'dirichlet', alpha: 0.5 }, 1);
    const flat = partitionLabels(labels, 10, 10, { kind: 'dirichlet', alpha: 1000 }, 1);
    for (const p of [skewed, half, flat]) {
      expectExactCover(p, labels.length);
      expect(p.clients.every((c) => c.length > 0)).toBe(true);
    }
    expect(meanTopShare(flat)).toBeLessThan(0.13);
    expect(meanTopShare(half)).toBeGreaterThan(0.3);
    expect(meanTopShare(skewed)).toBeGreaterThan(meanTopShare(half));
    // Per class, the shares follow the draw: class totals are preserved exactly.
    const perClass = histograms(half).reduce((acc, h) => acc.map((n, k) => n + h[k]!), new Array<number>(10).fill(0));
    expect(perClass).toEqual(labelHistogram(train));
  });

  it('label shards: equal sizes, each client holds at most 2 classes per shard', () => {
    const part = partitionLabels(labels, 10, 20, { kind: 'shards', shardsPerClient: 2 }, 3);
    expectExactCover(part, labels.length);
    expect(new Set(part.clients.map((c) => c.length))).toEqual(new Set([3000]));
    for (const h of histograms(part)) expect(h.filter((n) => n > 0).length).toBeLessThanOrEqual(4);
    expect(meanTopShare(part)).toBeGreaterThan(0.45);
  });

  it('is deterministic in the seed and changes with it', () => {
    for (const spec of [{ kind: 'iid' }, { kind: 'dirichlet', alpha: 0.5 }, { kind: 'shards', shardsPerClient: 2 }] as PartitionSpec[]) {
      const a = partitionLabels(labels, 10, 5, spec, 7);
      const b = partitionLabels(labels, 10, 5, spec, 7);
      const c = partitionLabels(labels, 10, 5, spec, 8);
      expect(a.clients.map((x) => Array.from(x))).toEqual(b.clients.map((x) => Array.from(x)));
      expect(a.clients.map((x) => Array.from(x))).not.toEqual(c.clients.map((x) => Array.from(x)));
    }
  });

  it('refuses impossible requests with a clear error', () => {
    expect(() => partitionLabels([0, 1], 2, 3, { kind: 'iid' }, 1)).toThrow(/3 clients at least one example each from 2/);
    expect(() => partitionLabels([0, 1, 1, 0], 2, 2, { kind: 'shards', shardsPerClient: 3 }, 1)).toThrow(/need at least 6 examples/);
    expect(() => partitionLabels([0, 5], 2, 1, { kind: 'dirichlet', alpha: 1 }, 1)).toThrow(/label 5, outside 0..1/);
  });
});

describe('sampleDirichlet', () => {
  it('draws probability vectors whose mean is uniform', () => {
    const rng = new SeededRandom(4);
    const mean = new Array<number>(4).fill(0);
    const draws = 4000;
    for (let d = 0; d < draws; d++) {
      const p = sampleDirichlet(4, 0.5, rng);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
      expect(p.every((x) => x >= 0)).toBe(true);
      p.forEach((x, k) => (mean[k]! += x / draws));
    }
    for (const m of mean) expect(Math.abs(m - 0.25)).toBeLessThan(0.02);
  });
});

describe('clientShard / selectExamples', () => {
  it('copies exactly the chosen images and labels', () => {
    const picked = selectExamples(train, [5, 0, 59_999]);
    expect(picked.count).toBe(3);
    expect(Array.from(picked.labels)).toEqual([train.labels[5], train.labels[0], train.labels[59_999]]);
    expect(Array.from(picked.images.subarray(784, 2 * 784))).toEqual(Array.from(train.images.subarray(0, 784)));
    expect(() => selectExamples(train, [60_000])).toThrow(/outside 0..59999/);
  });

  it('gives each client the shard the partition assigns it', () => {
    const spec: PartitionSpec = { kind: 'dirichlet', alpha: 0.5 };
    const part = partitionLabels(labels, 10, 4, spec, 2);
    const shard = clientShard(train, 4, 2, spec, 2);
    expect(shard.count).toBe(part.clients[2]!.length);
    expect(Array.from(shard.labels)).toEqual(Array.from(part.clients[2]!, (i) => labels[i]));
    expect(() => clientShard(train, 4, 4, spec, 2)).toThrow(/client index must be in 0..3/);
  });
});
