import { FederationClient, FederationError } from '@localbp/federation';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, tempDir, waitForStderr } from './cli-test-helpers';
import { FAST_LIVENESS, provision, startJoin, startServe, statePathIn, TINY_MODEL } from './federate-test-helpers';

// Each test starts several node processes; on a loaded 2-core machine that takes minutes.
const TEST_TIMEOUT_MS = 900_000;
const tmp = tempDir('federate-reliability');
afterAll(tmp.cleanup);

interface Summary {
  completedRounds: number;
  resumedFrom: number;
  roundAccuracy: number[];
  rounds: Array<{
    round: number;
    versions: Record<string, number>;
    clients: Array<{ clientId: string; participated: boolean; cells: string[]; vanished?: boolean; rejected?: { code: string } }>;
  }>;
}

describe('federation reliability with real processes', () => {
  it('finishes the round when 30% of the clients are killed mid-round, and carries on without them', async () => {
    const state = statePathIn(tmp.dir, 'kill.db');
    const tokens = await provision(state, 10);
    const { proc: server, url } = await startServe(state, [...TINY_MODEL, ...FAST_LIVENESS, '--rounds', '2', '--local-epochs', '3', '--wait-for', '10', '--json']);
    const joins = tokens.map(([, token], i) => startJoin(url, token, i, 10, 2000));
    // Kill clients 8-10 the moment each starts training round 1: their updates never arrive.
    const victims = joins.slice(7);
    await Promise.all(
      victims.map(async (j) => {
        await waitForStderr(j, /round 1: training/, 120_000);
        j.child.kill('SIGKILL');
      }),
    );
    const [serverResult, ...results] = await Promise.all([server.done, ...joins.map((j) => j.done)]);
    expect(serverResult!.code, serverResult!.stderr).toBe(0);
    results.slice(0, 7).forEach((r) => expect(r!.code, r!.stderr).toBe(0));
    results.slice(7).forEach((r) => expect(r!.signal).toBe('SIGKILL'));
    const summary = lastJsonLine(serverResult!.stdout) as unknown as Summary;
    expect(summary.completedRounds).toBe(2);
    const [first, second] = summary.rounds;
    expect(first!.clients.filter((c) => c.vanished).map((c) => c.clientId).sort()).toEqual(['client-10', 'client-8', 'client-9']);
    expect(first!.clients.filter((c) => c.participated)).toHaveLength(7);
    // Round 2 samples only the clients still alive.
    expect(second!.clients.map((c) => c.clientId).sort()).toEqual(['client-1', 'client-2', 'client-3', 'client-4', 'client-5', 'client-6', 'client-7']);
    expect(serverResult!.stderr).toMatch(/round 1 complete: 7 update\(s\), vanished: client-(8|9|10), client-(8|9|10), client-(8|9|10)/);
  }, TEST_TIMEOUT_MS);

  it('resumes after kill -9 of the server from the last completed round; clients reconnect by themselves', async () => {
    const state = statePathIn(tmp.dir, 'restart.db');
    const tokens = await provision(state, 3);
    const args = [...TINY_MODEL, ...FAST_LIVENESS, '--rounds', '4', '--wait-for', '3', '--json'];
    const first = await startServe(state, args);
    const joins = tokens.map(([, token], i) => startJoin(first.url, token, i, 3, 600));
    await waitForStderr(first.proc, /round 2 complete/, 180_000);
    first.proc.child.kill('SIGKILL');
    await first.proc.done;
    const before = [...first.proc.stderr.matchAll(/round (\d) complete: .*test accuracy ([\d.]+)%/g)].map((m) => [Number(m[1]), m[2]]);
    expect(before.slice(0, 2)).toEqual([[1, expect.any(String)], [2, expect.any(String)]]);
    // Same state database, same port: the clients' retries find the new process.
    const second = await startServe(state, [...args, '--port', new URL(first.url).port]);
    const [serverResult, ...results] = await Promise.all([second.proc.done, ...joins.map((j) => j.done)]);
    expect(serverResult!.code, serverResult!.stderr).toBe(0);
    for (const r of results) expect(r!.code, r!.stderr).toBe(0);
    expect(serverResult!.stderr).toMatch(/resuming after round 2 of 4/);
    const summary = lastJsonLine(serverResult!.stdout) as unknown as Summary;
    expect(summary).toMatchObject({ resumedFrom: 2, completedRounds: 4 });
    expect(summary.rounds.map((r) => r.round)).toEqual([1, 2, 3, 4]);
    // Rounds 1-2 are the ones the killed server committed, nothing lost; 3-4 built on their weights.
    expect(summary.roundAccuracy.slice(0, 2).map((a) => (a * 100).toFixed(2))).toEqual(before.slice(0, 2).map(([, a]) => a));
    expect(summary.rounds.at(-1)!.versions).toEqual({ 'cell-1': 4, 'cell-2': 4, head: 4 });
    // At least one client noticed the outage and retried with backoff.
    expect(results.map((r) => r!.stderr).join('\n')).toMatch(/retry \d+ in \d+ ms/);
  }, TEST_TIMEOUT_MS);

  it('per-cell assignment: clients train only their cells, versions pin updates, stale updates are rejected', async () => {
    const state = statePathIn(tmp.dir, 'assign.db');
    const tokens = await provision(state, 4);
    const { proc: server, url } = await startServe(state, [
      ...TINY_MODEL, ...FAST_LIVENESS, '--rounds', '2', '--wait-for', '4', '--json',
      '--assign', 'client-1=cell-1;client-2=cell-2;client-4=cell-1',
    ]);
    const joins = tokens.slice(0, 3).map(([, token], i) => startJoin(url, token, i, 3, 600));
    // client-4 takes its round-1 task but answers only after the round has closed without it.
    const slow = new FederationClient({ server: url, token: tokens[3]![1] });
    await slow.join('slow');
    let task;
    for (;;) {
      const poll = await slow.poll();
      if (poll.kind === 'task') {
        task = poll;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(task.message.train).toEqual(['cell-1']);
    await waitForStderr(server, /round 1 complete/, 180_000);
    const late = slow.upload(
      { type: 'update', round: 1, taskId: task.message.taskId, examples: 5, units: [{ id: 'cell-1', baseVersion: 0, upstreamVersions: {} }], metrics: {} },
      task.tensors.filter((t) => t.name.startsWith('cell-1/')),
      'late-1',
    );
    const error = await late.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FederationError);
    expect((error as FederationError).code).toBe('stale-update');
    expect((error as FederationError).message).toMatch(/1 version\(s\) behind; this server accepts at most 0/);

    const [serverResult, ...results] = await Promise.all([server.done, ...joins.map((j) => j.done)]);
    expect(serverResult!.code, serverResult!.stderr).toBe(0);
    for (const r of results) expect(r!.code, r!.stderr).toBe(0);
    const summary = lastJsonLine(serverResult!.stdout) as unknown as Summary;
    const cells = Object.fromEntries(summary.rounds[0]!.clients.map((c) => [c.clientId, c.cells.join('+')]));
    expect(cells).toEqual({ 'client-1': 'cell-1', 'client-2': 'cell-2', 'client-3': 'cell-1+cell-2+head', 'client-4': 'cell-1' });
    expect(summary.rounds[0]!.clients.find((c) => c.clientId === 'client-4')).toMatchObject({ participated: false, vanished: true });
    expect(summary.rounds.at(-1)!.versions).toEqual({ 'cell-1': 2, 'cell-2': 2, head: 2 });
  }, TEST_TIMEOUT_MS);
});
