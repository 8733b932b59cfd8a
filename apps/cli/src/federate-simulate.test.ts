import { openRunStore } from '@localbp/trainer/run-store';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { lastJsonLine, runCli, STACK_LINE, startCli, tempDir, waitForStderr } from './cli-test-helpers';
import { FAST_LIVENESS, TINY_MODEL } from './federate-test-helpers';

// Each test starts several node processes; on a loaded 2-core machine that takes minutes.
const TEST_TIMEOUT_MS = 900_000;
const tmp = tempDir('federate-simulate');
afterAll(tmp.cleanup);

interface Summary {
  completedRounds: number;
  totalRounds: number;
  testAccuracy: number | null;
  roundAccuracy: Array<number | null>;
  rounds: Array<{ round: number; versions: Record<string, number>; clients: Array<{ clientId: string; participated: boolean; cells: string[]; examples: number; loss: number | null }> }>;
}

describe('localbp federate simulate (server + client processes over loopback)', () => {
  it('runs data-parallel rounds with 3 client processes on a Dirichlet partition and reports accuracy per round', async () => {
    const storePath = path.join(tmp.dir, 'runs.sqlite');
    const res = await runCli([
      'federate', 'simulate', '--clients', '3', '--partition', 'dirichlet:0.5', '--train-limit', '600', '--rounds', '3',
      ...TINY_MODEL, ...FAST_LIVENESS, '--json', '--store', storePath,
    ]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout) as unknown as Summary;
    expect(summary).toMatchObject({ mode: 'data-parallel', completedRounds: 3, totalRounds: 3, aggregator: 'fedavg' });
    expect(summary.roundAccuracy).toHaveLength(3);
    for (const acc of summary.roundAccuracy) expect(acc).toBeGreaterThan(0.1);
    // Every unit is aggregated once per round over the clients that returned it.
    expect(summary.rounds.at(-1)!.versions).toEqual({ 'cell-1': 3, 'cell-2': 3, head: 3 });
    for (const round of summary.rounds) {
      expect(round.clients.map((c) => c.clientId).sort()).toEqual(['client-1', 'client-2', 'client-3']);
      expect(round.clients.every((c) => c.participated && c.cells.join() === 'cell-1,cell-2,head' && Number.isFinite(c.loss))).toBe(true);
      // The Dirichlet shards differ in size and together hold all 600 examples.
      expect(round.clients.reduce((n, c) => n + c.examples, 0)).toBe(600);
    }
    // Client processes report through the server's stderr, prefixed.
    expect(res.stderr).toMatch(/\[client-2\] round 3: update accepted/);
    // The run store holds the run and one federation-round event per round for the dashboard.
    const store = await openRunStore(storePath);
    try {
      const [run] = await store.listRuns();
      expect(run).toMatchObject({ status: 'completed' });
      const events = await store.events(run!.id, { kind: 'federation-round' });
      expect(events.map((e) => (e.payload as { round: number }).round)).toEqual([1, 2, 3]);
      expect((events[2]!.payload as { testAccuracy: number }).testAccuracy).toBe(summary.roundAccuracy[2]);
      expect((await store.metrics(run!.id, { keys: ['testAccuracy'] })).map((p) => p.value)).toEqual(summary.roundAccuracy);
    } finally {
      await store.close();
    }
  }, TEST_TIMEOUT_MS);

  it('runs cell-distributed: participant k trains cell k on frozen cells below, then the head is trained federated', async () => {
    const res = await runCli([
      'federate', 'simulate', '--mode', 'cell-distributed', '--clients', '2', '--train-limit', '1000', '--rounds', '2', '--local-epochs', '3',
      // Wider cells and larger steps than TINY_MODEL: 16-unit cells give a linear head too little to learn from.
      ...TINY_MODEL, '--width', '64', '--lr', '0.01', '--head-lr', '0.01', ...FAST_LIVENESS, '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout) as unknown as Summary;
    // 2 rounds for each of cell-1, cell-2 and the head.
    expect(summary).toMatchObject({ mode: 'cell-distributed', completedRounds: 6, totalRounds: 6 });
    const trained = summary.rounds.map((r) => r.clients.map((c) => `${c.clientId}:${c.cells.join('+')}`).sort().join(' '));
    expect(trained).toEqual([
      'client-1:cell-1',
      'client-1:cell-1',
      'client-2:cell-2',
      'client-2:cell-2',
      'client-1:head client-2:head',
      'client-1:head client-2:head',
    ]);
    expect(summary.rounds.map((r) => r.versions)).toEqual([
      { 'cell-1': 1, 'cell-2': 0, head: 0 },
      { 'cell-1': 2, 'cell-2': 0, head: 0 },
      { 'cell-1': 2, 'cell-2': 1, head: 0 },
      { 'cell-1': 2, 'cell-2': 2, head: 0 },
      { 'cell-1': 2, 'cell-2': 2, head: 1 },
      { 'cell-1': 2, 'cell-2': 2, head: 2 },
    ]);
    // The head trained federated on the stacked cells learns (chance is 0.1; the same budget trained
    // centrally with --schedule separate reaches about 0.68).
    expect(summary.testAccuracy).toBeGreaterThan(0.4);
  }, TEST_TIMEOUT_MS);

  it('federates the end-to-end BP baseline data-parallel, each unit aggregated, and learns', async () => {
    const res = await runCli([
      'federate', 'simulate', '--model', 'bp-mlp', '--clients', '2', '--train-limit', '600', '--rounds', '2',
      ...TINY_MODEL, ...FAST_LIVENESS, '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout) as unknown as Summary;
    expect(summary).toMatchObject({ mode: 'data-parallel', completedRounds: 2, totalRounds: 2 });
    expect(summary.rounds.at(-1)!.versions).toEqual({ 'cell-1': 2, 'cell-2': 2, head: 2 });
    for (const round of summary.rounds) {
      expect(round.clients.every((c) => c.participated && c.cells.join() === 'cell-1,cell-2,head' && Number.isFinite(c.loss))).toBe(true);
    }
    expect(summary.testAccuracy).toBeGreaterThan(0.2);
  }, TEST_TIMEOUT_MS);

  it('federates Forward-Forward data-parallel: every layer and the readout aggregated separately', async () => {
    const res = await runCli([
      'federate', 'simulate', '--model', 'ff', '--layers', '2', '--clients', '2', '--train-limit', '600', '--rounds', '2',
      ...TINY_MODEL, ...FAST_LIVENESS, '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout) as unknown as Summary;
    expect(summary).toMatchObject({ mode: 'data-parallel', completedRounds: 2, totalRounds: 2 });
    expect(summary.rounds.at(-1)!.versions).toEqual({ 'layer-1': 2, 'layer-2': 2, head: 2 });
    for (const round of summary.rounds) {
      expect(round.clients.every((c) => c.participated && c.cells.join() === 'layer-1,layer-2,head' && Number.isFinite(c.loss))).toBe(true);
    }
    expect(summary.roundAccuracy.every((a) => a !== null && Number.isFinite(a))).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('stops with a clear error when every client process has died', async () => {
    const proc = startCli(['federate', 'simulate', '--clients', '2', '--train-limit', '600', '--rounds', '50', ...TINY_MODEL, ...FAST_LIVENESS]);
    await waitForStderr(proc, /round 1: .*training/, 300_000);
    // The clients are the simulate process's children: kill them all, as a crash or OOM killer would.
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(proc.child.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((pid) => pid > 0);
    expect(children).toHaveLength(2);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    const res = await proc.done;
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/localbp: error: every simulated client exited before the run finished/);
    expect(res.stderr).not.toMatch(STACK_LINE);
  }, TEST_TIMEOUT_MS);

  it('refuses bad federation flags with a usage error', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--partition', 'dirichlet:0'], /--partition: .*α must be a positive number/],
      [['--aggregator', 'mean-ish'], /unknown aggregator "mean-ish"; registered aggregators: .*fedavg/],
      [['--fraction', '1.5'], /--fraction must be in \(0, 1\]/],
      [['--assign', 'client-1=cell-9'], /unknown unit "cell-9"/],
      [['--model', 'bp-mlp', '--mode', 'cell-distributed'], /--model bp-mlp trains end to end .*only --mode data-parallel without --assign/],
      [['--client-optimizer', 'sometimes'], /--client-optimizer must be reset or keep/],
    ];
    for (const [flags, message] of cases) {
      const res = await runCli(['federate', 'simulate', '--clients', '2', ...TINY_MODEL, ...flags]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(STACK_LINE);
    }
  }, TEST_TIMEOUT_MS);
});
