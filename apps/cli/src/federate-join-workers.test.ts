import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, tempDir } from './cli-test-helpers';
import { FAST_LIVENESS, provision, startJoin, startServe, statePathIn, TINY_MODEL } from './federate-test-helpers';

const tmp = tempDir('federate-workers');
afterAll(tmp.cleanup);

describe('federate join --workers', () => {
  it('a client that trains its cells in worker threads takes part in every round beside a one-thread client', async () => {
    const state = statePathIn(tmp.dir, 'workers.db');
    const tokens = await provision(state, 2);
    const { proc: server, url } = await startServe(state, [...TINY_MODEL, ...FAST_LIVENESS, '--rounds', '2', '--local-epochs', '1', '--wait-for', '2', '--json']);
    const piped = startJoin(url, tokens[0]![1], 0, 2, 800, ['--workers', '2', '--backend', 'wasm']);
    const plain = startJoin(url, tokens[1]![1], 1, 2, 800, ['--backend', 'wasm']);
    const [serverResult, pipedResult, plainResult] = await Promise.all([server.done, piped.done, plain.done]);
    expect(serverResult.code, serverResult.stderr).toBe(0);
    expect(pipedResult.code, pipedResult.stderr).toBe(0);
    expect(plainResult.code, plainResult.stderr).toBe(0);
    // One plan per task: the workers start again for every round's task.
    expect(pipedResult.stderr.match(/workers: 2 stages, /g)).toHaveLength(2);
    expect(plainResult.stderr).not.toMatch(/workers: \d+ stages/);
    const summary = lastJsonLine(serverResult.stdout) as { completedRounds: number; rounds: Array<{ clients: Array<{ clientId: string; participated: boolean }> }> };
    expect(summary.completedRounds).toBe(2);
    for (const round of summary.rounds) expect(round.clients.filter((c) => c.participated).map((c) => c.clientId).sort()).toEqual(['client-1', 'client-2']);
  }, 300_000);
});
