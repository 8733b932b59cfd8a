// Federation figures for the default model (3 AE cells x 1000, 512-unit head, MNIST): aggregation
// throughput (updates x parameters / s) of FedAvg and coordinate-wise median over 100 updates, and
// the protocol + serialization cost of one client's round as a share of its round time (10 clients
// on full MNIST: 6000 examples, 47 batches of 128 per local epoch). A benchmark, not a test.
import { createServer } from 'node:http';
import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset } from '@localbp/datasets';
import {
  CoordinateMedianAggregator,
  decodeFrame,
  encodeFrame,
  FedAvgAggregator,
  FRAME_CONTENT_TYPE,
  unitOfWeight,
} from '@localbp/federation';
import { validateUpdate } from '@localbp/federation/node';
import { LbpModel, LocalTrainer } from '@localbp/trainer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const updatesCount = Number(args.get('updates') ?? 100);
// Distinct random updates; the 100 reuse them in turn so memory stays at ~distinct x 22 MB.
const distinct = Number(args.get('distinct') ?? 10);
const timedBatches = Number(args.get('batches') ?? 8);
const clients = 10;

const backend = await resolveBackend('auto', { quiet: true });
const mnist = loadDataset('mnist');
const model = LbpModel.create(
  { cells: [{ type: 'ae' }, { type: 'ae' }, { type: 'ae' }], width: 1000, seed: 1 },
  { imageShape: mnist.info.imageShape, numClasses: 10 },
);
const global = model.namedWeights().map((w) => ({ name: w.name, shape: [...w.tensor.shape], values: Float32Array.from(w.tensor.dataSync()) }));
const parameters = global.reduce((n, w) => n + w.values.length, 0);
const units = [...new Set(global.map((w) => unitOfWeight(w.name)))];

let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
const variants = Array.from({ length: distinct }, () => global.map((w) => ({ ...w, values: w.values.map((v) => v + 0.01 * random()) })));

function aggregateAll(aggregator) {
  const started = performance.now();
  for (const unit of units) {
    const updates = Array.from({ length: updatesCount }, (_, k) => ({
      cellId: unit,
      clientId: `c${k}`,
      examples: 100 + k,
      baseVersion: 0,
      upstreamVersions: {},
      weights: variants[k % distinct].filter((w) => unitOfWeight(w.name) === unit),
    }));
    aggregator.aggregate(updates);
  }
  return (performance.now() - started) / 1000;
}

const aggregation = {};
for (const aggregator of [new FedAvgAggregator(), new CoordinateMedianAggregator()]) {
  const seconds = aggregateAll(aggregator);
  aggregation[aggregator.id] = { seconds: Number(seconds.toFixed(3)), updatesTimesParamsPerSecond: Number(((updatesCount * parameters) / seconds).toExponential(3)) };
}

// Protocol: encode/decode the task and the update, validate the update, move both over loopback HTTP.
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': FRAME_CONTENT_TYPE, 'content-length': body.length });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;
const task = { type: 'task', round: 1, taskId: 't', deadlineMs: 1, train: units, versions: Object.fromEntries(units.map((u) => [u, 0])), localEpochs: 1, batchSize: 128, proximalMu: 0 };
const update = { type: 'update', round: 1, taskId: 't', examples: 6000, units: units.map((id) => ({ id, baseVersion: 0, upstreamVersions: {} })), metrics: {} };
const unitMap = new Map(units.map((u) => [u, global.filter((w) => unitOfWeight(w.name) === u)]));
const timings = { encode: 0, decode: 0, validate: 0, http: 0 };
const repeats = 3;
for (let r = 0; r < repeats; r++) {
  for (const [message, tensors] of [[task, global], [update, variants[0]]]) {
    let t = performance.now();
    const bytes = encodeFrame(message, tensors);
    timings.encode += performance.now() - t;
    t = performance.now();
    // Upload and echo: counts the transfer once each way, like a task download plus an update upload.
    const echoed = new Uint8Array(await (await fetch(url, { method: 'POST', body: bytes, headers: { 'content-type': FRAME_CONTENT_TYPE } })).arrayBuffer());
    timings.http += (performance.now() - t) / 2;
    t = performance.now();
    const frame = decodeFrame(echoed);
    timings.decode += performance.now() - t;
    if (message.type === 'update') {
      t = performance.now();
      validateUpdate(message, frame.tensors, { units: unitMap, assigned: new Set(units), maxUpdateNorm: 1e9 });
      timings.validate += performance.now() - t;
    }
  }
}
server.close();
const frameBytes = encodeFrame(task, global).length;
const protocolSeconds = Object.values(timings).reduce((a, b) => a + b, 0) / repeats / 1000;

// Local training time of one round: a client's share of MNIST, one local epoch.
const batchSize = 128;
const batchesPerRound = Math.ceil(mnist.train.count / clients / batchSize);
const times = [];
let last = 0;
await new LocalTrainer(model).fit(subset(mnist.train, (timedBatches + 2) * batchSize), {
  epochs: 1,
  batchSize,
  evaluateEachEpoch: false,
  callbacks: {
    onBatchBegin: () => void (last = performance.now()),
    onBatchEnd: (b) => void (b >= 2 && times.push((performance.now() - last) / 1000)),
  },
});
const trainSeconds = (times.reduce((a, b) => a + b, 0) / times.length) * batchesPerRound;
model.dispose();
tf.disposeVariables();

console.log(
  JSON.stringify(
    {
      backend: backend.name,
      parameters,
      updates: updatesCount,
      aggregation,
      protocol: {
        frameBytes,
        perRoundSeconds: Number(protocolSeconds.toFixed(3)),
        breakdownMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Number((v / repeats).toFixed(1))])),
        localTrainingSecondsPerRound: Number(trainSeconds.toFixed(2)),
        shareOfRoundTime: Number((protocolSeconds / (protocolSeconds + trainSeconds)).toFixed(4)),
      },
    },
    null,
    2,
  ),
);
