import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset } from '@localbp/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTACK_SCENARIOS } from './attack-scenarios';
import { runRobustnessScenario, runRobustnessSuite, type RobustnessRunOptions } from './robustness-suite';
import { accuracyDrops, renderRobustnessTable, worstRoundDrop } from './robustness-table';

// The suite of bench/robustness.mjs at a tiny size: 10 clients of 150 examples, 2 rounds (wasm: ~2 s a federation).
let options: RobustnessRunOptions;
beforeAll(async () => {
  await resolveBackend('auto', { quiet: true });
  const mnist = loadDataset('mnist');
  options = {
    train: subset(mnist.train, 1500),
    test: subset(mnist.test, 300),
    clients: 10,
    partition: { kind: 'iid' },
    rounds: 2,
    localEpochs: 3,
    batchSize: 50,
    seed: 1,
    model: {
      model: 'lbp', width: 16, seed: 1, cells: [{ type: 'ae' }, { type: 'ae' }], head: { hidden: [] },
      optimizer: { type: 'adamw', learningRate: 0.01, weightDecay: 0.01 }, headOptimizer: { type: 'adamw', learningRate: 0.05, weightDecay: 0.01 },
    },
  };
});

describe('robustness suite (tiny)', () => {
  it('runs every scenario against the default server, writes a table of that shape, and no attack takes over', async () => {
    const before = tf.memory().numTensors;
    const results = await runRobustnessSuite(options, ATTACK_SCENARIOS, [{ id: 'fedavg' }, { id: 'median' }]);
    expect(tf.memory().numTensors).toBe(before);
    expect(results).toHaveLength((ATTACK_SCENARIOS.length + 1) * 2);
    const clean = results.find((r) => r.scenario === 'clean' && r.aggregator === 'fedavg')!.accuracy;
    // The tiny federation learns something, so a take-over would show.
    expect(clean).toBeGreaterThan(0.2);
    // 300 test examples at this size: 6 points of slack (the committed table holds the 2-point figures).
    for (const [key, drop] of accuracyDrops(results)) expect(drop, key).toBeGreaterThan(-0.06);
    // The count-inflation attacker is bounded in every round, and no round is dented beyond the same slack.
    expect(results.find((r) => r.scenario === 'count-inflation' && r.aggregator === 'fedavg')!.bounded).toBe(2);
    for (const r of results) expect(r.roundAccuracy, `${r.scenario} × ${r.aggregator}`).toHaveLength(2);
    for (const r of results) expect(r.roundAccuracy.at(-1)).toBe(r.accuracy);
    expect(worstRoundDrop(results, 'count-inflation', 'fedavg')).toBeGreaterThan(-0.06);

    const table = renderRobustnessTable(results, {
      command: 'test', clients: 10, rounds: 2, localEpochs: 3, trainExamples: 1500, testExamples: 300, partition: 'IID', model: 'tiny', scenarios: ATTACK_SCENARIOS,
    });
    // The scenario table, then the attack round by round.
    const [main, perRound] = table.split('\n## ').slice(0, 2);
    const rows = main!.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]).toBe('| scenario | hostile | fedavg | median |');
    expect(rows.slice(2).map((r) => r.split(' | ')[0]!.slice(2))).toEqual(['clean', ...ATTACK_SCENARIOS.map((s) => s.id)]);
    expect(rows[2]).toMatch(/^\| clean \| 0 \| \d+\.\d% \| \d+\.\d% \|$/);
    for (const row of rows.slice(3)) expect(row).toMatch(/^\| [a-z-]+ \| [12] \| \d+\.\d% \([+−]\d+\.\d\)[^|]* \| \d+\.\d% \([+−]\d+\.\d\)[^|]* \|$/);
    expect(perRound).toMatch(/^The issue's attack, round by round/);
    const roundRows = perRound!.split('\n').filter((l) => l.startsWith('| '));
    expect(roundRows.slice(2).map((r) => r.split(' | ')[0]!.slice(2))).toEqual(['1', '2', 'worst']);
    for (const row of roundRows.slice(2, 4)) expect(row).toMatch(/^\| \d \| \d+\.\d% → \d+\.\d% \([+−]\d+\.\d\) \| \d+\.\d% → \d+\.\d% \([+−]\d+\.\d\) \|$/);
  }, 600_000);

  it('without the bounds, the count-inflation attack takes FedAvg over: what the defaults prevent', async () => {
    const off = { ...options, server: { examplesCapFactor: 0, normClipFactor: 0, minCosine: -1 } };
    const clean = await runRobustnessScenario(off, null, { id: 'fedavg' });
    const attacked = await runRobustnessScenario(off, ATTACK_SCENARIOS.find((s) => s.id === 'count-inflation')!, { id: 'fedavg' });
    expect(attacked.accuracy).toBeLessThan(clean.accuracy - 0.1);
  }, 600_000);
});
