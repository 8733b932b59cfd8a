// Adversarial suite of issue 15: scenarios x aggregators, 10 clients with 1-2 hostile ones, in-process
// (RoundCoordinator, default bounds), written to docs/results/robustness.md. Options: --train=N --test=N
// --rounds=N --epochs=N --out=FILE --scenarios=a,b (none: the clean run only) --aggregators=a,b
// --partition=iid|dirichlet:A --bounds=off (influence bounds and direction check off: the before/after comparison)
// --server=JSON (server configuration overrides, e.g. '{"examplesCapFactor":2}').
import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, parsePartitionSpec, subset } from '@localbp/datasets';
import { ATTACK_SCENARIOS, renderRobustnessTable, runRobustnessSuite } from '@localbp/federation/node';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const trainExamples = Number(args.get('train') ?? 10000);
const testExamples = Number(args.get('test') ?? 10000);
const rounds = Number(args.get('rounds') ?? 4);
const localEpochs = Number(args.get('epochs') ?? 3);
const out = args.get('out') ?? fileURLToPath(new URL('../../../docs/results/robustness.md', import.meta.url));
const pick = (key, all) => (args.has(key) ? all.filter((x) => args.get(key).split(',').includes(x.id)) : all);
const scenarios = pick('scenarios', ATTACK_SCENARIOS);
const aggregators = pick('aggregators', [{ id: 'fedavg' }, { id: 'median' }, { id: 'trimmed-mean', options: { beta: 0.2 } }, { id: 'multi-krum', options: { f: 2 } }]);

tf.enableProdMode();
const backend = await resolveBackend('auto', { quiet: true });
const mnist = loadDataset('mnist');
// Learning rates at which this small model gets well above chance in a few rounds.
const model = {
  model: 'lbp', width: 16, seed: 1, cells: [{ type: 'ae', options: {} }, { type: 'ae', options: {} }],
  head: { hidden: [], activation: 'relu', dropout: 0 },
  optimizer: { type: 'adamw', learningRate: 0.01, weightDecay: 0.01 }, headOptimizer: { type: 'adamw', learningRate: 0.05, weightDecay: 0.01 },
};
const partition = args.get('partition') ?? 'iid';
const options = {
  train: subset(mnist.train, trainExamples), test: subset(mnist.test, testExamples), clients: 10,
  partition: parsePartitionSpec(partition), rounds, localEpochs, batchSize: 50, model, seed: 1,
  ...(args.get('bounds') === 'off' ? { server: { examplesCapFactor: 0, normClipFactor: 0, minCosine: -1 } } : {}),
  ...(args.has('server') ? { server: JSON.parse(args.get('server')) } : {}),
};
process.stderr.write(`backend ${backend.name}; ${scenarios.length + 1} scenarios x ${aggregators.length} aggregators\n`);
const results = await runRobustnessSuite(options, scenarios, aggregators, (r) =>
  process.stderr.write(`${r.scenario} x ${r.aggregator}: ${(100 * r.accuracy).toFixed(1)}% (${r.seconds.toFixed(1)} s)\n`),
);
const command = `pnpm --filter @localbp/federation robustness${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
const table = renderRobustnessTable(results, {
  command, clients: 10, rounds, localEpochs, trainExamples, testExamples, partition: partition === 'iid' ? 'IID' : partition,
  model: 'LBP ae,ae width 16, linear head, AdamW lr 0.01 (head 0.05), batch 50', scenarios,
});
writeFileSync(out, table);
process.stdout.write(table);
