import { FederationClient, type TaskMessage, type WeightArray } from '@localbp/federation';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, tempDir } from './cli-test-helpers';
import { FAST_LIVENESS, provision, startJoin, startServe, statePathIn, TINY_MODEL } from './federate-test-helpers';

// Several node processes on a loaded 2-core machine: minutes.
const TEST_TIMEOUT_MS = 900_000;
const tmp = tempDir('federate-poisoning');
afterAll(tmp.cleanup);

// Learning rates and epochs at which TINY_MODEL gets well above chance in two rounds, so a collapse shows.
// 1,000 test examples: 2 points are 20 of them, above round-to-round noise.
const ROUNDS = ['--rounds', '3', '--local-epochs', '3', '--lr', '0.01', '--head-lr', '0.05', '--test-limit', '1000'];
const TRAIN_LIMIT = 1500;
const HONEST = 3;

interface Summary {
  completedRounds: number;
  roundAccuracy: number[];
  rounds: Array<{ clients: Array<{ clientId: string; participated: boolean; bounded?: Array<{ unit: string; countedExamples?: number; clippedTo?: number; droppedCosine?: number }> }> }>;
}

/**
 * The attack, written from PROTOCOL.md: once the model has learnt something (round 2 on), declare 10¹²
 * examples and send the negated weights. In round 1 it answers like a lazy client (weights unchanged).
 */
async function attack(client: FederationClient): Promise<number> {
  await client.join('hostile');
  let attacked = 0;
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const poll = await client.poll();
    if (poll.kind === 'finished') return attacked;
    if (poll.kind === 'wait') {
      await new Promise((r) => setTimeout(r, poll.retryAfterMs));
      continue;
    }
    const hostile = poll.message.round > 1;
    const message = { ...negated(poll.message, poll.tensors), ...(hostile ? {} : { examples: TRAIN_LIMIT / HONEST }) };
    await client.upload(message, negatedTensors(poll.message, poll.tensors, hostile ? -1 : 1), `attack-${poll.message.round}`);
    if (hostile) attacked++;
  }
  throw new Error('the run did not finish within 10 minutes');
}

function negated(task: TaskMessage, _tensors: WeightArray[]) {
  const units = task.train;
  const prior = (id: string) => (id === 'head' ? units.filter((u) => u !== 'head') : units.slice(0, units.indexOf(id)));
  return {
    type: 'update' as const,
    round: task.round,
    taskId: task.taskId,
    examples: 1e12,
    units: units.map((id) => ({ id, baseVersion: task.versions[id]!, upstreamVersions: Object.fromEntries(prior(id).map((u) => [u, task.versions[u]!])) })),
  };
}

function negatedTensors(task: TaskMessage, tensors: WeightArray[], sign: 1 | -1): WeightArray[] {
  return tensors.filter((t) => task.train.includes(t.name.split('/')[0]!)).map((t) => ({ ...t, values: t.values.map((v) => sign * v) }));
}

describe('bounded influence against a poisoning client (real processes over loopback)', () => {
  /** Three honest `federate join` processes and the hostile client against one `federate serve`. */
  async function attackedRun(name: string, extra: readonly string[]): Promise<{ summary: Summary; stderr: string }> {
    const state = statePathIn(tmp.dir, `${name}.db`);
    const honest = await provision(state, HONEST);
    const hostileToken = (await provision(state, 1, 'hostile'))[0]![1];
    const { proc: server, url } = await startServe(state, [...TINY_MODEL, ...FAST_LIVENESS, ...ROUNDS, '--wait-for', String(HONEST + 1), '--json', ...extra]);
    const joins = honest.map(([, token], i) => startJoin(url, token, i, HONEST, TRAIN_LIMIT));
    const attacks = await attack(new FederationClient({ server: url, token: hostileToken }));
    const [serverResult, ...joinResults] = await Promise.all([server.done, ...joins.map((j) => j.done)]);
    expect(serverResult!.code, serverResult!.stderr).toBe(0);
    for (const r of joinResults) expect(r!.code, r!.stderr).toBe(0);
    expect(attacks).toBe(2);
    const summary = lastJsonLine(serverResult!.stdout) as unknown as Summary;
    expect(summary.completedRounds).toBe(3);
    return { summary, stderr: serverResult!.stderr };
  }

  it('a client declaring 1e12 examples with negated weights is capped and clipped: the model never collapses and ends with the honest-only run', async () => {
    const { summary, stderr } = await attackedRun('bounded', []);
    for (const round of summary.rounds.slice(1)) {
      const hostile = round.clients.find((c) => c.clientId === 'hostile-1')!;
      // Accepted (it is a valid update), but counted as 2 × the honest count on every unit; and on each unit
      // clipped or left out (a negated unit can still lean the way weight decay shrinks the honest ones).
      expect(hostile.participated).toBe(true);
      expect(hostile.bounded?.map((b) => [b.unit, b.countedExamples])).toEqual(['cell-1', 'cell-2', 'head'].map((u) => [u, (2 * TRAIN_LIMIT) / HONEST]));
      expect(hostile.bounded!.every((b) => b.clippedTo !== undefined || b.droppedCosine !== undefined)).toBe(true);
    }
    expect(stderr).toMatch(/bounded hostile-1 on cell-1: 1000000000000 declared examples counted as 1000; delta norm \S+ clipped to/);

    // The same honest clients without the hostile one.
    const control = await runCli(['federate', 'simulate', '--clients', String(HONEST), '--partition', 'iid', '--train-limit', String(TRAIN_LIMIT), ...TINY_MODEL, ...FAST_LIVENESS, ...ROUNDS, '--json']);
    expect(control.code, control.stderr).toBe(0);
    const clean = (lastJsonLine(control.stdout) as unknown as Summary).roundAccuracy;
    console.log(`poisoning: clean ${JSON.stringify(clean)}, attacked ${JSON.stringify(summary.roundAccuracy)}`);
    expect(clean.at(-1)).toBeGreaterThan(0.35);
    // One hostile client in four, a quarter of the round (the suite in docs/results/robustness.md has one in ten and
    // stays within 2 points): counted as 2 of 5 shares and clipped it still dents a round (measured: 12 points in
    // round 2), but never collapses the model, and the run ends within 2 points of the clean one.
    summary.roundAccuracy.forEach((a, i) => expect(a, `round ${i + 1}: ${a} vs clean ${clean[i]}`).toBeGreaterThanOrEqual(clean[i]! - 0.2));
    expect(summary.roundAccuracy.at(-1)).toBeGreaterThanOrEqual(clean.at(-1)! - 0.02);

    // The reproduction: with the bounds off, FedAvg takes the hostile weights and the model collapses.
    const unbounded = await attackedRun('unbounded', ['--examples-cap', '0', '--norm-clip', '0', '--min-cosine', '-1']);
    console.log(`poisoning: unbounded ${JSON.stringify(unbounded.summary.roundAccuracy)}`);
    expect(unbounded.summary.roundAccuracy.at(-1)).toBeLessThan(clean.at(-1)! - 0.2);
  }, TEST_TIMEOUT_MS);
});
