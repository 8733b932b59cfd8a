import { describe, expect, it } from 'vitest';
import { FedAvgAggregator } from '../aggregators/fedavg';
import { FederationError } from '../protocol/federation-error';
import type { UpdateMessage } from '../protocol/messages';
import type { WeightArray } from '../protocol/weight-array';
import { RoundCoordinator, type PollResult } from './round-coordinator';
import type { RoundReport } from './round-report';
import { federationConfigSchema, type FederationConfigInput } from './server-config';

const WEIGHTS: WeightArray[] = [
  { name: 'cell-1/kernel', shape: [2], values: Float32Array.from([0, 0]) },
  { name: 'cell-2/kernel', shape: [1], values: Float32Array.from([0]) },
  { name: 'head/kernel', shape: [1], values: Float32Array.from([0]) },
];

function setup(overrides: Partial<FederationConfigInput> = {}, restarted = false) {
  let now = 1_000;
  const commits: Array<{ round: number; report: RoundReport }> = [];
  const logs: string[] = [];
  const config = federationConfigSchema.parse({
    rounds: 3,
    model: { model: 'lbp' },
    data: { dataset: 'tiny', imageShape: [1, 1, 1], numClasses: 2 },
    heartbeatTimeoutMs: 1_000,
    // After a round closes the coordinator waits 2·heartbeat + 500 ms = 700 ms for clients to poll again.
    heartbeatMs: 100,
    ...overrides,
  });
  const coordinator = new RoundCoordinator({
    config,
    aggregator: new FedAvgAggregator(),
    state: { round: 0, versions: {}, weights: WEIGHTS, history: [] },
    commit: async (round, _versions, _weights, report) => {
      commits.push({ round, report });
    },
    log: (m) => logs.push(m),
    restarted,
    now: () => now,
  });
  coordinator.setRegisteredClients(['a', 'b', 'c']);
  return { coordinator, commits, logs, advance: (ms: number) => (now += ms) };
}

function task(poll: PollResult) {
  if (poll.kind !== 'task') throw new Error(`expected a task, got ${poll.kind}`);
  return poll;
}

/** An update returning `value` everywhere for the units of the task. */
function update(poll: PollResult, value: number, examples = 1): [UpdateMessage, WeightArray[]] {
  const t = task(poll);
  const cells = t.message.train;
  const message: UpdateMessage = {
    type: 'update',
    round: t.message.round,
    taskId: t.message.taskId,
    examples,
    metrics: { 'loss/head': 0.5 },
    units: cells.map((id) => {
      const upstream = id === 'head' ? ['cell-1', 'cell-2'] : id === 'cell-2' ? ['cell-1'] : [];
      return { id, baseVersion: t.message.versions[id]!, upstreamVersions: Object.fromEntries(upstream.map((u) => [u, t.message.versions[u]!])) };
    }),
  };
  const tensors = t.tensors
    .filter((w) => cells.includes(w.name.split('/')[0]!))
    .map((w) => ({ ...w, values: new Float32Array(w.values.length).fill(value) }));
  return [message, tensors];
}

describe('RoundCoordinator', () => {
  it('waits for the expected clients, aggregates each unit over its updates and bumps versions', async () => {
    // Bounds off: this checks FedAvg's weighting itself (bounded influence has its own test below).
    const { coordinator, commits } = setup({ waitForClients: 2, examplesCapFactor: 0, normClipFactor: 0 });
    expect(coordinator.poll('a').kind).toBe('wait');
    const pa = coordinator.poll('a');
    expect(pa.kind).toBe('wait');
    const pb = coordinator.poll('b');
    const ta = coordinator.poll('a');
    expect(task(pb).message.train).toEqual(['cell-1', 'cell-2', 'head']);
    coordinator.submit('a', ...update(ta, 1, 1), 'k1');
    coordinator.submit('b', ...update(pb, 4, 3), 'k2');
    await coordinator.tick();
    expect(commits).toHaveLength(1);
    expect(commits[0]!.report.versions).toEqual({ 'cell-1': 1, 'cell-2': 1, head: 1 });
    // (1·1 + 4·3)/4 = 3.25 in every coordinate.
    expect(Array.from(coordinator.currentWeights()[0]!.values)).toEqual([3.25, 3.25]);
  });

  it('counts a retried upload once and replays the first answer', async () => {
    const { coordinator, commits } = setup();
    const t = coordinator.poll('a');
    const [m, w] = update(t, 2);
    expect(coordinator.submit('a', m, w, 'same')).toEqual({ accepted: true, duplicate: false, round: 1 });
    expect(coordinator.submit('a', m, w, 'same')).toEqual({ accepted: true, duplicate: true, round: 1 });
    expect(() => coordinator.submit('a', m, w, 'other')).toThrow(/already submitted for round 1/);
    await coordinator.tick();
    expect(commits[0]!.report.clients).toEqual([{ clientId: 'a', participated: true, cells: ['cell-1', 'cell-2', 'head'], examples: 1, loss: 0.5 }]);
  });

  it('closes a round without vanished clients and leaves the model unchanged by rejected ones', async () => {
    const { coordinator, commits, advance } = setup({ waitForClients: 3 });
    coordinator.poll('a');
    coordinator.poll('b');
    const tc = coordinator.poll('c');
    const ta = coordinator.poll('a');
    coordinator.poll('b');
    const [bad, badTensors] = update(tc, Number.NaN);
    expect(() => coordinator.submit('c', bad, badTensors, 'x')).toThrow(FederationError);
    coordinator.submit('a', ...update(ta, 5), 'y');
    await coordinator.tick();
    expect(commits).toHaveLength(0); // b is still present
    advance(1_500);
    coordinator.see('a');
    await coordinator.tick();
    const clients = commits[0]!.report.clients;
    expect(clients.find((c) => c.clientId === 'b')).toMatchObject({ participated: false, vanished: true });
    expect(clients.find((c) => c.clientId === 'c')).toMatchObject({ participated: false, rejected: { code: 'non-finite' } });
    expect(Array.from(coordinator.currentWeights()[0]!.values)).toEqual([5, 5]);
  });

  it('retries a round without quorum and rejects stale updates beyond the bound', async () => {
    const { coordinator, commits, advance } = setup({ quorum: 2, roundTimeoutMs: 500 });
    const first = coordinator.poll('a');
    advance(600);
    await coordinator.tick();
    expect(commits).toHaveLength(0);
    expect(coordinator.poll('b').kind).toBe('wait'); // settling after the failed attempt
    advance(700);
    coordinator.see('a');
    const second = coordinator.poll('b');
    expect(task(second).message.round).toBe(1);
    coordinator.poll('a');
    const ta2 = coordinator.poll('a');
    coordinator.submit('b', ...update(second, 1), 'b1');
    coordinator.submit('a', ...update(ta2, 1), 'a1');
    await coordinator.tick();
    expect(commits.map((c) => [c.round, c.report.attempt])).toEqual([[1, 2]]);
    const [late, lateTensors] = update(first, 1);
    coordinator.poll('c');
    expect(() => coordinator.submit('a', late, lateTensors, 'late')).toThrow(/1 version\(s\) behind; this server accepts at most 0/);
  });

  it('counts an update from a failed attempt of the same round as the client\'s answer, once', async () => {
    const { coordinator, commits, advance } = setup({ roundTimeoutMs: 500 });
    const first = coordinator.poll('a');
    advance(600);
    coordinator.see('a');
    await coordinator.tick(); // deadline, nothing accepted: retried
    advance(700);
    const second = coordinator.poll('a');
    expect(task(second).message.taskId).not.toBe(task(first).message.taskId);
    coordinator.submit('a', ...update(first, 2, 5), 'old');
    expect(() => coordinator.submit('a', ...update(second, 9), 'new')).toThrow(/already submitted for round 1/);
    await coordinator.tick();
    expect(commits.map((c) => [c.round, c.report.attempt, c.report.clients.map((x) => [x.clientId, x.examples])])).toEqual([[1, 2, [['a', 5]]]]);
    expect(Array.from(coordinator.currentWeights()[0]!.values)).toEqual([2, 2]);
  });

  it('accepts a late update within the staleness bound, down-weighted by 1/(1 + staleness)', async () => {
    const { coordinator, commits, advance } = setup({ maxStaleness: 1, roundTimeoutMs: 500, waitForClients: 2, examplesCapFactor: 0, normClipFactor: 0 });
    coordinator.poll('a');
    const slow = coordinator.poll('b');
    const ta = coordinator.poll('a');
    coordinator.submit('a', ...update(ta, 0), 'a1');
    advance(1_200);
    coordinator.see('a');
    await coordinator.tick(); // round 1 closes without b, which went quiet
    advance(700);
    const tb = coordinator.poll('a');
    coordinator.submit('b', ...update(slow, 4, 1), 'late-b'); // 1 behind: scale 1/2
    coordinator.submit('a', ...update(tb, 1, 1), 'a2');
    coordinator.see('b');
    advance(10);
    await coordinator.tick();
    expect(commits).toHaveLength(2);
    // (1·1 + 4·0.5)/(1 + 0.5) = 2
    expect(Array.from(coordinator.currentWeights()[0]!.values)).toEqual([2, 2]);
    expect(commits[1]!.report.clients.find((c) => c.staleness === 1)).toMatchObject({ clientId: 'b', participated: true });
  });

  it('bounds influence by default: an inflated count and a long delta are capped, logged and reported', async () => {
    const { coordinator, commits } = setup({ waitForClients: 3 });
    coordinator.poll('a');
    coordinator.poll('b');
    const tc = coordinator.poll('c');
    const [ta, tb] = [coordinator.poll('a'), coordinator.poll('b')];
    coordinator.submit('a', ...update(ta, 1, 10), 'a');
    coordinator.submit('b', ...update(tb, 1, 10), 'b');
    coordinator.submit('c', ...update(tc, -100, 1e12), 'c');
    await coordinator.tick();
    // c counts as 2 × the median 10 examples and is clipped to 2 × the median ‖(1, 1)‖; then it points against
    // the round's median delta (1, 1) and is left out: the unit takes a and b's 1.
    expect(Array.from(coordinator.currentWeights()[0]!.values)).toEqual([1, 1]);
    const c = commits[0]!.report.clients.find((x) => x.clientId === 'c')!;
    expect(c.bounded?.map((b) => [b.unit, b.countedExamples, b.droppedCosine])).toEqual([['cell-1', 20, -1], ['cell-2', 20, -1], ['head', 20, -1]]);
    expect(c.bounded![0]!.clippedTo).toBeCloseTo(2 * Math.SQRT2, 5);
    // Without the direction check the clipped update (−2, −2) is averaged in: (10 + 10 − 2 · 20)/40.
    const off = setup({ waitForClients: 3, minCosine: -1 });
    off.coordinator.poll('a');
    off.coordinator.poll('b');
    const oc = off.coordinator.poll('c');
    const [oa, ob] = [off.coordinator.poll('a'), off.coordinator.poll('b')];
    off.coordinator.submit('a', ...update(oa, 1, 10), 'a');
    off.coordinator.submit('b', ...update(ob, 1, 10), 'b');
    off.coordinator.submit('c', ...update(oc, -100, 1e12), 'c');
    await off.coordinator.tick();
    for (const v of off.coordinator.currentWeights()[0]!.values) expect(v).toBeCloseTo(-0.5, 6);
    expect(commits[0]!.report.clients.find((x) => x.clientId === 'a')!.bounded).toBeUndefined();
  });

  it('after a restart waits for the crowd at most crowdTimeoutMs, then starts with the quorum present', async () => {
    const { coordinator, logs, advance } = setup({ waitForClients: 3, quorum: 2, crowdTimeoutMs: 5_000 }, true);
    coordinator.see('b');
    expect(coordinator.poll('a').kind).toBe('wait');
    advance(5_000);
    coordinator.see('b');
    // Timed out, but a lone client is below the quorum of 2: still waiting.
    const lone = setup({ waitForClients: 3, quorum: 2, crowdTimeoutMs: 5_000 }, true);
    lone.advance(5_000);
    expect(lone.coordinator.poll('a').kind).toBe('wait');
    const ta = coordinator.poll('a');
    expect(task(ta).message.round).toBe(1);
    expect(logs).toContain('crowd timeout: waited 5 s for 3 clients after the restart; going on with the 2 present');
    // A fresh run (not restarted) keeps waiting for its whole crowd.
    const fresh = setup({ waitForClients: 3, crowdTimeoutMs: 5_000 });
    fresh.coordinator.see('b');
    fresh.advance(60_000);
    fresh.coordinator.see('b');
    expect(fresh.coordinator.poll('a').kind).toBe('wait');
  });

  it('cell-distributed: the k-th client owns cell k, then everyone trains the head', async () => {
    const { coordinator, advance } = setup({ mode: 'cell-distributed', rounds: 1, waitForClients: 3 });
    expect(coordinator.totalRounds).toBe(3);
    const plan: string[] = [];
    for (const c of ['a', 'b', 'c']) coordinator.see(c);
    for (let round = 1; round <= 3; round++) {
      const polls = ['a', 'b', 'c'].map((c) => [c, coordinator.poll(c)] as const);
      const tasks = polls.filter(([, p]) => p.kind === 'task');
      plan.push(tasks.map(([c, p]) => `${c}:${task(p).message.train.join('+')}`).join(' '));
      for (const [c, p] of tasks) coordinator.submit(c, ...update(p, round), `${c}${round}`);
      await coordinator.tick();
      advance(700);
      for (const c of ['a', 'b', 'c']) coordinator.see(c);
    }
    // Three clients over two cells: a and c own cell-1, b owns cell-2.
    expect(plan[0]!.split(' ').sort()).toEqual(['a:cell-1', 'c:cell-1']);
    expect(plan[1]).toBe('b:cell-2');
    expect(plan[2]!.split(' ').sort()).toEqual(['a:head', 'b:head', 'c:head']);
    expect(coordinator.isFinished()).toBe(true);
    expect(coordinator.poll('a').kind).toBe('finished');
  });
});
