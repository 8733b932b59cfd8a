import { flowerForTests, ProcessGroup, runServerApp, startPythonNode, startSuperLink, type FlowerHistory, type SuperLink } from '@localbp/flower/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, startCli, waitForStderr, type CliProcess } from './cli-test-helpers';

const flower = flowerForTests();

// Small enough for 2 shared cores, big enough for accuracy to rise over 3 rounds.
const MODEL = ['--dataset', 'mnist', '--cells', 'ae', '--width', '32', '--head-hidden', 'none', '--train-limit', '2000', '--test-limit', '500', '--lr', '0.01', '--head-lr', '0.01', '--no-store'];
const ROUND = { LBP_ROUNDS: '3', LBP_LOCAL_EPOCHS: '1', LBP_BATCH_SIZE: '50' };

/** Every `localbp` child a test started, killed by PID in afterAll if still running (SIGKILL after a grace period). */
const nodesStarted: CliProcess[] = [];
async function stopNodes(): Promise<void> {
  const alive = nodesStarted.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  for (const n of alive) n.child.kill('SIGINT');
  await Promise.race([Promise.all(alive.map((n) => n.done)), new Promise((r) => setTimeout(r, 3000))]);
  for (const n of alive) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
}

function join(link: SuperLink, index: number, clients: number): CliProcess {
  const args = ['flower', 'join', '--superlink', link.fleetAddress, ...(link.rest ? ['--rest'] : []), ...MODEL.filter((a) => a !== '--no-store'), '--partition', 'iid', '--clients', String(clients), '--client-index', String(index), '--idle-exit', '15', '--json'];
  const proc = startCli(args);
  nodesStarted.push(proc);
  return proc;
}

async function federation(group: ProcessGroup, rest: boolean, env: Record<string, string>): Promise<{ history: FlowerHistory; nodes: Array<Record<string, unknown>> }> {
  const link = await startSuperLink(group, flower!, { rest });
  const nodes = [join(link, 0, 2), join(link, 1, 2)];
  const history = await runServerApp(group, flower!, link, { ...ROUND, LBP_CLIENTS: '2', ...env }, 240_000);
  const results = await Promise.all(nodes.map((n) => n.done));
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  return { history, nodes: results.map((r) => lastJsonLine(r.stdout)) };
}

const accuracies = (h: FlowerHistory) => (h.metrics_distributed.accuracy ?? []).map(([, a]) => a);

describe.skipIf(!flower)('localbp flower join in a real Flower 1.10 federation', () => {
  const group = new ProcessGroup();
  afterAll(async () => {
    await stopNodes();
    await group.stopAll();
  });
  const finals: Record<string, number> = {};

  for (const rest of [false, true]) {
    it(`stock FedAvg, 2 localbp nodes on IID MNIST shards, 3 rounds over ${rest ? 'REST' : 'gRPC'}: accuracy rises`, async () => {
      const { history, nodes } = await federation(group, rest, { LBP_STRATEGY: 'fedavg' });
      const acc = accuracies(history);
      expect(acc).toHaveLength(3);
      expect(acc[2]!).toBeGreaterThan(acc[0]!);
      expect(history.rounds.every((r) => r.fit_results === 2 && r.fit_failures === 0)).toBe(true);
      for (const n of nodes) expect(n).toMatchObject({ status: 'finished' });
      finals[rest ? 'rest' : 'grpc'] = acc[2]!;
      process.stderr.write(`flower ${rest ? 'REST' : 'gRPC'} distributed accuracy by round: ${acc.map((a) => a.toFixed(4)).join(', ')}\n`);
    }, 300_000);
  }

  it('ends within 2 points of `localbp federate simulate` with the same clients, partition, model, rounds and epochs', async () => {
    const sim = await runCli(['federate', 'simulate', '--clients', '2', '--partition', 'iid', ...MODEL, '--rounds', '3', '--local-epochs', '1', '--batch-size', '50', '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    const simAccuracy = lastJsonLine(sim.stdout).testAccuracy as number;
    process.stderr.write(`federate simulate test accuracy ${simAccuracy.toFixed(4)}; flower ${JSON.stringify(finals)}\n`);
    for (const final of Object.values(finals)) expect(Math.abs(final - simAccuracy)).toBeLessThanOrEqual(0.02);
  }, 300_000);

  it('Ctrl-C deletes the node from the SuperLink and exits 130', async () => {
    const link = await startSuperLink(group, flower!);
    const node = join(link, 0, 1);
    await waitForStderr(node, /registered with the SuperLink/, 60_000);
    node.child.kill('SIGINT');
    const r = await node.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/deleted from the SuperLink/);
  }, 120_000);

  it('mixed run: a Python NumPyClient and a localbp node, both accepted every round', async () => {
    const link = await startSuperLink(group, flower!);
    startPythonNode(group, flower!, link, 'localbp_server_apps:echo_client');
    const node = join(link, 0, 1);
    const history = await runServerApp(group, flower!, link, { ...ROUND, LBP_ROUNDS: '2', LBP_CLIENTS: '2', LBP_STRATEGY: 'fedavg' }, 240_000);
    expect((await node.done).code).toBe(0);
    expect(history.rounds).toEqual([1, 2].map((round) => ({ round, fit_results: 2, fit_failures: 0, failures: [] })));
    expect(accuracies(history)).toHaveLength(2);
  }, 300_000);

  for (const strategy of ['fedprox', 'fedmedian']) {
    it(`${strategy} from Flower drives localbp nodes unchanged`, async () => {
      const { history, nodes } = await federation(group, false, { LBP_STRATEGY: strategy, LBP_ROUNDS: '2', LBP_PROXIMAL_MU: '0.1' });
      expect(history.rounds.map((r) => [r.fit_results, r.fit_failures])).toEqual([[2, 0], [2, 0]]);
      const acc = accuracies(history);
      expect(acc[1]!).toBeGreaterThan(0.3);
      for (const n of nodes) expect((n.tasks as Array<{ ok: boolean }>).every((t) => t.ok)).toBe(true);
    }, 300_000);
  }
});
