import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NumPyClient } from './numpy-client';
import { GrpcFleetTransport } from './grpc-transport';
import { RestFleetTransport } from './rest-transport';
import { runSuperNode } from './super-node';
import { flowerForTests, ProcessGroup, runServerApp, startSuperLink } from './testing/flower-processes';
import { FleetError } from './fleet-transport';

const flower = flowerForTests();

/** A model of one 3x2 array that adds 1 per fit: the reference federation of ../shared/flower, from TypeScript. */
function toyClient(): NumPyClient & { fits: number } {
  return {
    fits: 0,
    async getParameters() {
      return [{ shape: [3, 2], values: new Float32Array(6) }];
    },
    async fit(parameters) {
      this.fits++;
      return { parameters: parameters.map((p) => ({ shape: p.shape, values: p.values.map((v) => v + 1) })), numExamples: 10, metrics: {} };
    },
    async evaluate(parameters) {
      const sum = parameters[0]!.values.reduce((a, b) => a + b, 0);
      return { loss: sum, numExamples: 10, metrics: { accuracy: sum / 100 } };
    },
  };
}

describe.skipIf(!flower)('SuperNode against a real Flower 1.10 SuperLink', () => {
  const group = new ProcessGroup();
  afterAll(() => group.stopAll());

  for (const rest of [false, true]) {
    it(`runs a stock FedAvg federation over ${rest ? 'REST' : 'gRPC'} and exits cleanly`, async () => {
      const link = await startSuperLink(group, flower!, { rest });
      const client = toyClient();
      const transport = rest ? new RestFleetTransport({ url: link.fleetAddress }) : new GrpcFleetTransport({ address: link.fleetAddress });
      const node = runSuperNode({ transport, client, idleExitS: 10, pollIntervalMs: 300 });
      const history = await runServerApp(group, flower!, link, { LBP_ROUNDS: '2', LBP_CLIENTS: '1', LBP_STRATEGY: 'fedavg' }, 90_000);
      const summary = await node;
      expect(summary.status).toBe('finished');
      expect(client.fits).toBe(2);
      // Same figures as check.sh's Python client: the array's sum after each round.
      expect(history.losses_distributed).toEqual([[1, 6], [2, 12]]);
      expect(history.metrics_distributed.accuracy).toEqual([[1, 0.06], [2, 0.12]]);
      expect(summary.tasks.map((t) => t.type)).toEqual(['get_parameters', 'train', 'evaluate', 'train', 'evaluate']);
    }, 120_000);
  }

  it('answers a task type it does not know, and a task it cannot read, with error results Flower sees', async () => {
    const link = await startSuperLink(group, flower!);
    const node = runSuperNode({ transport: new GrpcFleetTransport({ address: link.fleetAddress }), client: toyClient(), idleExitS: 10, pollIntervalMs: 300 });
    const replies = await runServerApp<Array<{ type: string; error: boolean; code: number; reason: string }>>(group, flower!, link, {}, 90_000, 'localbp_server_apps:probe');
    expect(replies).toEqual([
      { type: 'query', error: true, code: 2, reason: expect.stringMatching(/unsupported task type "query"/) },
      { type: 'train', error: true, code: 2, reason: expect.stringMatching(/no parameters record "fitins.parameters"/) },
    ]);
    expect((await node).tasks.map((t) => t.ok)).toEqual([false, false]);
  }, 120_000);

  it('deletes its node when aborted, and gives up on a SuperLink that is gone with one clear error', async () => {
    const link = await startSuperLink(group, flower!);
    const controller = new AbortController();
    const logs: string[] = [];
    const node = runSuperNode({ transport: new GrpcFleetTransport({ address: link.fleetAddress }), client: toyClient(), signal: controller.signal, pollIntervalMs: 200, log: (m) => logs.push(m) });
    await new Promise((r) => setTimeout(r, 1500));
    controller.abort();
    expect((await node).status).toBe('interrupted');
    expect(logs.some((l) => /deleted from the SuperLink/.test(l))).toBe(true);

    await group.stopAll();
    const started = Date.now();
    const err = await runSuperNode({
      transport: new GrpcFleetTransport({ address: link.fleetAddress }),
      client: toyClient(),
      retry: { initialDelayMs: 100, maxDelayMs: 400, giveUpAfterMs: 2000 },
      callTimeoutMs: 1000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetError);
    expect((err as Error).message).toMatch(/CreateNode: the SuperLink did not answer for \d+ s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 120_000);
});
