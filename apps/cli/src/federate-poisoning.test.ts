import { FederationClient, type TaskMessage, type WeightArray } from '@localbp/federation';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, tempDir } from './cli-test-helpers';
import { FAST_LIVENESS, provision, startJoin, startServe, statePathIn, TINY_MODEL } from './federate-test-helpers';

// Several node processes on a loaded 2-core machine: minutes.
const TEST_TIMEOUT_MS = 900_000;
const tmp = tempDir('federate-poisoning');
afterAll(tmp.cleanup);

const ROUNDS = ['--rounds', '2', '--local-epochs', '1'];
const TRAIN_LIMIT = 450;
const HONEST = 3;

interface Summary {
  completedRounds: number;
  roundAccuracy: number[];
  rounds: Array<{ clients: Array<{ clientId: string; participated: boolean; bounded?: Array<{ unit: string; countedExamples?: number; clippedTo?: number }> }> }>;
}

/** The attack, written from PROTOCOL.md: every round, declare 10¹² examples and send the negated weights. */
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
    await client.upload(negated(poll.message, poll.tensors), negatedTensors(poll.message, poll.tensors), `attack-${poll.message.round}`);
    attacked++;
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

function negatedTensors(task: TaskMessage, tensors: WeightArray[]): WeightArray[] {
  return tensors.filter((t) => task.train.includes(t.name.split('/')[0]!)).map((t) => ({ ...t, values: t.values.map((v) => -v) }));
}

describe('bounded influence against a poisoning client (real processes over loopback)', () => {
  it('a client declaring 1e12 examples with negated weights is capped and clipped: accuracy stays with the honest-only run', async () => {
    const state = statePathIn(tmp.dir, 'poison.db');
    const honest = await provision(state, HONEST);
    const [[, hostileToken]] = await provision(state, 1, 'hostile');
    const { proc: server, url } = await startServe(state, [...TINY_MODEL, ...FAST_LIVENESS, ...ROUNDS, '--wait-for', String(HONEST + 1), '--json']);
    const joins = honest.map(([, token], i) => startJoin(url, token, i, HONEST, TRAIN_LIMIT));
    const attacks = await attack(new FederationClient({ server: url, token: hostileToken! }));
    const [serverResult, ...joinResults] = await Promise.all([server.done, ...joins.map((j) => j.done)]);
    expect(serverResult!.code, serverResult!.stderr).toBe(0);
    for (const r of joinResults) expect(r!.code, r!.stderr).toBe(0);
    expect(attacks).toBe(2);
    const summary = lastJsonLine(serverResult!.stdout) as unknown as Summary;
    expect(summary.completedRounds).toBe(2);
    for (const round of summary.rounds) {
      const hostile = round.clients.find((c) => c.clientId === 'hostile-1')!;
      // Accepted (it is a valid update), but counted as 2 × the honest count and clipped, on every unit.
      expect(hostile.participated).toBe(true);
      expect(hostile.bounded?.map((b) => b.unit)).toEqual(['cell-1', 'cell-2', 'head']);
      expect(hostile.bounded!.every((b) => b.countedExamples === 2 * (TRAIN_LIMIT / HONEST) && b.clippedTo! > 0)).toBe(true);
    }
    expect(serverResult!.stderr).toMatch(/bounded hostile-1 on cell-1: 1000000000000 declared examples counted as 300; delta norm \S+ clipped to/);

    // The same honest clients without the hostile one.
    const control = await runCli(['federate', 'simulate', '--clients', String(HONEST), '--partition', 'iid', '--train-limit', String(TRAIN_LIMIT), ...TINY_MODEL, ...FAST_LIVENESS, ...ROUNDS, '--json']);
    expect(control.code, control.stderr).toBe(0);
    const clean = (lastJsonLine(control.stdout) as unknown as Summary).roundAccuracy;
    // Unbounded, FedAvg would take the hostile weights (accuracy near chance); bounded, each round stays within
    // 2 points of the clean run (200 test examples: 4 of them).
    summary.roundAccuracy.forEach((a, i) => expect(a, `round ${i + 1}: ${a} vs clean ${clean[i]}`).toBeGreaterThanOrEqual(clean[i]! - 0.02));
  }, TEST_TIMEOUT_MS);
});
