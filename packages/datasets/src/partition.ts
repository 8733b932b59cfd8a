import { DatasetError } from './dataset-error';
import { imageSize, type LabeledSplit } from './labeled-split';
import { deriveSeed, SeededRandom } from './seeded-random';

/** How a training split is spread over federated clients. */
export type PartitionSpec =
  | { kind: 'iid' }
  /** Per class, client shares drawn from Dirichlet(α, …, α): small α = few classes per client. */
  | { kind: 'dirichlet'; alpha: number }
  /** McMahan et al.: sort by label, cut into clients×K equal shards, deal K shards to each client. */
  | { kind: 'shards'; shardsPerClient: number };

/** Every client's example indices into the split; together they use each example exactly once. */
export interface Partition {
  spec: PartitionSpec;
  seed: number;
  clients: Uint32Array[];
}

/** Parses `iid`, `dirichlet:0.5`, `shards:2` (the CLI's `--partition`). */
export function parsePartitionSpec(text: string): PartitionSpec {
  const [kind, arg, extra] = text.trim().split(':');
  if (extra !== undefined) throw new DatasetError('bad-argument', `partition "${text}": expected iid, dirichlet:ALPHA or shards:K`);
  if (kind === 'iid' && arg === undefined) return { kind: 'iid' };
  if (kind === 'dirichlet') {
    const alpha = Number(arg);
    if (arg === undefined || arg.trim() === '' || !Number.isFinite(alpha) || alpha <= 0) {
      throw new DatasetError('bad-argument', `partition "${text}": Dirichlet α must be a positive number, e.g. dirichlet:0.5`);
    }
    return { kind: 'dirichlet', alpha };
  }
  if (kind === 'shards') {
    const k = Number(arg);
    if (arg === undefined || !/^\d+$/.test(arg) || k < 1) {
      throw new DatasetError('bad-argument', `partition "${text}": shards per client must be an integer ≥ 1, e.g. shards:2`);
    }
    return { kind: 'shards', shardsPerClient: k };
  }
  throw new DatasetError('bad-argument', `partition "${text}": expected iid, dirichlet:ALPHA or shards:K`);
}

/** The spec back in its `--partition` spelling. */
export function formatPartitionSpec(spec: PartitionSpec): string {
  if (spec.kind === 'iid') return 'iid';
  return spec.kind === 'dirichlet' ? `dirichlet:${spec.alpha}` : `shards:${spec.shardsPerClient}`;
}

/**
 * Splits examples (given by their labels) over `clients` clients. Deterministic: the same labels,
 * spec and seed give the same partition in every process, so each client of a simulation can
 * compute its own shard.
 */
export function partitionLabels(labels: ArrayLike<number>, numClasses: number, clients: number, spec: PartitionSpec, seed: number): Partition {
  if (!Number.isInteger(clients) || clients < 1) throw new DatasetError('bad-argument', `clients must be an integer ≥ 1, got ${clients}`);
  const count = labels.length;
  if (count < clients) {
    throw new DatasetError('bad-argument', `cannot give ${clients} clients at least one example each from ${count} examples`);
  }
  const rng = new SeededRandom(deriveSeed(seed, 0x5a1d));
  let parts: number[][];
  if (spec.kind === 'iid') parts = iid(count, clients, rng);
  else if (spec.kind === 'dirichlet') parts = dirichlet(labels, numClasses, clients, spec.alpha, rng);
  else parts = shards(labels, clients, spec.shardsPerClient, rng);
  return { spec, seed, clients: parts.map((p) => Uint32Array.from(p)) };
}

function iid(count: number, clients: number, rng: SeededRandom): number[][] {
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  // Sizes differ by at most one.
  return Array.from({ length: clients }, (_, c) =>
    order.slice(Math.floor((c * count) / clients), Math.floor(((c + 1) * count) / clients)),
  );
}

function byClass(labels: ArrayLike<number>, numClasses: number): number[][] {
  const classes = Array.from({ length: numClasses }, () => [] as number[]);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new DatasetError('bad-label', `example ${i} has label ${label}, outside 0..${numClasses - 1}`);
    }
    classes[label]!.push(i);
  }
  return classes;
}

const MAX_DIRICHLET_DRAWS = 1000;

function dirichlet(labels: ArrayLike<number>, numClasses: number, clients: number, alpha: number, rng: SeededRandom): number[][] {
  const classes = byClass(labels, numClasses).map((c) => rng.shuffle(c));
  // Redraw until every client holds at least one example (common practice; with tiny α and many
  // clients some would otherwise be empty). The draws continue one seeded stream: still deterministic.
  for (let attempt = 0; attempt < MAX_DIRICHLET_DRAWS; attempt++) {
    const parts = Array.from({ length: clients }, () => [] as number[]);
    for (const members of classes) {
      const shares = sampleDirichlet(clients, alpha, rng);
      let cumulative = 0;
      let start = 0;
      for (let c = 0; c < clients; c++) {
        cumulative += shares[c]!;
        const end = c === clients - 1 ? members.length : Math.round(cumulative * members.length);
        for (let i = start; i < end; i++) parts[c]!.push(members[i]!);
        start = Math.max(start, end);
      }
    }
    if (parts.every((p) => p.length > 0)) return parts.map((p) => p.sort((a, b) => a - b));
  }
  throw new DatasetError(
    'bad-argument',
    `Dirichlet(α=${alpha}) left some of ${clients} clients without examples in ${MAX_DIRICHLET_DRAWS} draws: use a larger α or fewer clients`,
  );
}

function shards(labels: ArrayLike<number>, clients: number, perClient: number, rng: SeededRandom): number[][] {
  const total = clients * perClient;
  if (labels.length < total) {
    throw new DatasetError('bad-argument', `${clients} clients × ${perClient} shards need at least ${total} examples, have ${labels.length}`);
  }
  // Stable sort by label: equal labels keep index order, so the result depends on the seed only through the deal.
  const sorted = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => labels[a]! - labels[b]! || a - b);
  const deal = rng.shuffle(Array.from({ length: total }, (_, i) => i));
  return Array.from({ length: clients }, (_, c) => {
    const mine: number[] = [];
    for (let k = 0; k < perClient; k++) {
      const shard = deal[c * perClient + k]!;
      const from = Math.floor((shard * sorted.length) / total);
      const to = Math.floor(((shard + 1) * sorted.length) / total);
      for (let i = from; i < to; i++) mine.push(sorted[i]!);
    }
    return mine.sort((a, b) => a - b);
  });
}

/** Standard normal by Box-Muller. */
function normal(rng: SeededRandom): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Gamma(shape, 1) by Marsaglia-Tsang; shapes below 1 via the U^(1/shape) boost. */
function sampleGamma(shape: number, rng: SeededRandom): number {
  if (shape < 1) return sampleGamma(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One draw from the symmetric Dirichlet(α, …, α) over `n` components. */
export function sampleDirichlet(n: number, alpha: number, rng: SeededRandom): number[] {
  const g = Array.from({ length: n }, () => sampleGamma(alpha, rng));
  const sum = g.reduce((a, b) => a + b, 0);
  // Underflow with tiny α: put everything on the largest draw.
  if (!(sum > 0)) return g.map((_, i) => (i === 0 ? 1 : 0));
  return g.map((v) => v / sum);
}

/** A copy of the listed examples of `split`, in the given order. */
export function selectExamples(split: LabeledSplit, indices: ArrayLike<number>): LabeledSplit {
  const size = imageSize(split);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= split.count) {
      throw new DatasetError('bad-argument', `example index ${i} is outside 0..${split.count - 1}`);
    }
    images.set(split.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = split.labels[i]!;
  }
  return { ...split, images, labels, count: indices.length };
}

/** Client `index`'s shard (0-based) of `split` under a partition over `clients` clients. */
export function clientShard(split: LabeledSplit, clients: number, index: number, spec: PartitionSpec, seed: number): LabeledSplit {
  if (!Number.isInteger(index) || index < 0 || index >= clients) {
    throw new DatasetError('bad-argument', `client index must be in 0..${clients - 1}, got ${index}`);
  }
  const part = partitionLabels(split.labels.subarray(0, split.count), split.numClasses, clients, spec, seed);
  return { ...selectExamples(split, part.clients[index]!), name: `${split.name}[client ${index + 1}/${clients}]` };
}
