// Load benchmark of the federation server (issue 15): N lightweight clients with precomputed updates (no
// training) against a model of about 1M parameters, one round over loopback HTTP. Prints, per aggregator and N:
// the round's close time (bounds + aggregation; FedAvg's running sum is kept as uploads arrive), the peak RSS of
// the server process (load-server.mjs, its own process), and request latency p50/p99 of task downloads and
// uploads. The client simulator keeps only `distinct` shared updates and no downloaded weights.
// Options: --clients=100,1000 --aggregators=fedavg,median --distinct=8 --concurrency=64.
import { tf } from '@localbp/core';
import { FederationClient } from '@localbp/federation';
import { ServerStateDb } from '@localbp/federation/node';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const clientCounts = (args.get('clients') ?? '100,1000').split(',').map(Number);
const aggregators = (args.get('aggregators') ?? 'fedavg,median').split(',');
const distinct = Number(args.get('distinct') ?? 8);
const concurrency = Number(args.get('concurrency') ?? 64);
// One AE cell of width 600 on MNIST and a linear head: 784·600·2 + 600 + 784 + 600·10 + 10 ≈ 0.95M parameters.
const model = {
  model: 'lbp', width: 600, seed: 1, cells: [{ type: 'ae', options: {} }], head: { hidden: [], activation: 'relu', dropout: 0 },
  optimizer: { type: 'adamw', learningRate: 0.001, weightDecay: 0.01 }, headOptimizer: { type: 'adamw', learningRate: 0.001, weightDecay: 0.01 },
};

tf.enableProdMode();
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** Runs `tasks` with at most `limit` in flight. */
async function pool(items, limit, run) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]);
  }));
}

async function benchOnce(clients, aggregator) {
  const dir = mkdtempSync(path.join(tmpdir(), 'localbp-load-'));
  const state = path.join(dir, 'state.db');
  const db = await ServerStateDb.open(state);
  const tokens = [];
  for (let i = 0; i < clients; i++) tokens.push(await db.addClient(`c${i}`));
  db.close();
  const config = {
    rounds: 1, waitForClients: clients, heartbeatMs: 60_000, heartbeatTimeoutMs: 600_000, roundTimeoutMs: 600_000,
    aggregator: { id: aggregator, options: {} }, model, data: { dataset: 'mnist', imageShape: [28, 28, 1], numClasses: 10 },
    requestsPerSecond: 1000,
  };
  const child = spawn(process.execPath, [fileURLToPath(new URL('./load-server.mjs', import.meta.url)), JSON.stringify({ statePath: state, config })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the bench server exited early');
    return JSON.parse(value);
  };
  const server = await next();
  const latency = { poll: [], upload: [] };
  let variants = null;
  let parameters = 0;
  try {
    const fc = tokens.map((token) => new FederationClient({ server: server.url, token, requestTimeoutMs: 600_000 }));
    await pool(fc, concurrency, (c) => c.join('load-bench'));
    const tasks = new Array(clients);
    // Poll until each client holds its task (the round starts once all are present).
    await pool(fc.map((c, i) => [c, i]), concurrency, async ([c, i]) => {
      for (let attempt = 0; attempt < 600; attempt++) {
        const t0 = performance.now();
        const poll = await c.poll();
        if (poll.kind === 'task') {
          latency.poll.push(performance.now() - t0);
          // Only the message: a real client would train on the weights and let them go.
          tasks[i] = poll.message;
          if (!variants) {
            parameters = poll.tensors.reduce((n, w) => n + w.values.length, 0);
            let seed = 7;
            const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
            variants = Array.from({ length: distinct }, () => poll.tensors.map((w) => ({ ...w, values: w.values.map((v) => v + 0.01 * random()) })));
          }
          return;
        }
        await new Promise((r) => setTimeout(r, poll.kind === 'wait' ? Math.min(poll.retryAfterMs, 200) : 0));
      }
      throw new Error('no task after 600 polls');
    });
    const units = [...new Set(variants[0].map((w) => w.name.split('/')[0]))];
    await pool(fc.map((c, i) => [c, i]), concurrency, async ([c, i]) => {
      const task = tasks[i];
      const t0 = performance.now();
      await c.upload(
        {
          type: 'update', round: task.round, taskId: task.taskId, examples: 100,
          units: units.map((id) => ({ id, baseVersion: task.versions[id], upstreamVersions: id === 'head' ? Object.fromEntries(units.filter((u) => u !== 'head').map((u) => [u, task.versions[u]])) : {} })),
        },
        variants[i % distinct],
        `k${i}`,
      );
      latency.upload.push(performance.now() - t0);
    });
    const { report, peakRssMiB } = await next();
    return {
      aggregator, clients, parameters,
      roundSeconds: Number(report.seconds.toFixed(2)),
      aggregationSeconds: Number(report.aggregationSeconds.toFixed(2)),
      serverPeakRssMiB: peakRssMiB,
      benchPeakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      pollMs: { p50: Math.round(quantile(latency.poll, 0.5)), p99: Math.round(quantile(latency.poll, 0.99)) },
      uploadMs: { p50: Math.round(quantile(latency.upload, 0.5)), p99: Math.round(quantile(latency.upload, 0.99)) },
    };
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.has('one')) {
  process.stdout.write(`${JSON.stringify(await benchOnce(clientCounts[0], aggregators[0]))}\n`);
} else {
  // One process per configuration, so each peak RSS is its own.
  for (const aggregator of aggregators) {
    for (const clients of clientCounts) {
      const extra = process.argv.slice(2).filter((a) => !/^--(clients|aggregators)=/.test(a));
      const line = execFileSync(process.execPath, [process.argv[1], '--one', `--clients=${clients}`, `--aggregators=${aggregator}`, ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
      process.stdout.write(line);
    }
  }
}
