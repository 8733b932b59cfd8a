import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, LOCALBP_BIN, startProcess, tempDir, waitForStderr, type CliProcess, type CliResult } from './cli-test-helpers';
import { readStateSummary, stateProblems } from './federate-state-checks';
import { provision, statePathIn, TINY_MODEL } from './federate-test-helpers';
import { deleteStaleNamespaces, NetLab, probeNetns, type LinkEnd } from './netns-lab';

// Five federations at once, the longest with a 60 s partition, on a loaded 2-core machine.
const TEST_TIMEOUT_MS = 420_000;
const RELAY = fileURLToPath(new URL('../fixtures/delay-relay.mjs', import.meta.url));
const ROUNDS = 3;
const CLIENTS = 2;
const TRAIN_LIMIT = 200;
const PORT = 8080;
const PARTITION_MS = 60_000;
const SERVE_ARGS = [...TINY_MODEL, '--heartbeat', '0.5', '--heartbeat-timeout', '10', '--round-timeout', '240', '--rounds', String(ROUNDS), '--wait-for', String(CLIENTS), '--json', '--host', '0.0.0.0', '--port', String(PORT)];

const support = probeNetns();
const lossWay = support.noNetem === null ? 'netem' : support.nft ? 'nftables' : null;
if (support.unavailable) console.log(`network-fault tests skipped: ${support.unavailable}`);

const tmp = tempDir('federate-netns');
const labs: NetLab[] = [];
const processes: CliProcess[] = [];
const figures = new Map<string, { seconds: number; retries: number[]; extra: string }>();

beforeAll(() => {
  if (!support.unavailable) {
    const stale = deleteStaleNamespaces();
    if (stale.length) console.log(`removed stale namespaces: ${stale.join(', ')}`);
  }
});
afterAll(() => {
  for (const p of processes) p.child.kill('SIGKILL');
  for (const lab of labs) lab.cleanup();
  tmp.cleanup();
  const clean = figures.get('clean')?.seconds;
  for (const [name, f] of figures) {
    const lost = clean !== undefined && name !== 'clean' ? `, ${(f.seconds - clean).toFixed(1)} s lost against the clean run` : '';
    console.log(`netns ${name}: ${f.seconds.toFixed(1)} s for ${ROUNDS} rounds${lost}; client retries ${f.retries.join(' + ')}${f.extra ? `; ${f.extra}` : ''}`);
  }
});

interface Federation {
  lab: NetLab;
  /** Per client: the server's end and the client's end of its link. */
  links: Array<{ a: LinkEnd; b: LinkEnd }>;
  server: CliProcess;
  clients: CliProcess[];
  startedAt: number;
}

const retriesIn = (r: CliResult) => (r.stderr.match(/retry \d+ in \d+ ms/g) ?? []).length;

function inNamespace(lab: NetLab, ns: string, args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const [command, prefix] = lab.exec(ns);
  const proc = startProcess(command, [...prefix, ...args], undefined, env);
  processes.push(proc);
  return proc;
}

/**
 * A server namespace and one namespace per client, each client on its own veth link to the server;
 * `shape` runs before any process starts. With `relay`, each client reaches the server through a delaying
 * relay inside its own namespace.
 */
async function startFederation(
  name: string,
  index: number,
  options: {
    shape?: (lab: NetLab, links: Array<{ a: LinkEnd; b: LinkEnd }>) => void;
    serverEnv?: Record<string, string>;
    serveExtra?: string[];
    relay?: boolean;
    joinExtra?: string[];
  },
): Promise<Federation> {
  const lab = new NetLab(index * 16);
  labs.push(lab);
  const serverNs = lab.namespace(`${name}-s`);
  const clientNs = Array.from({ length: CLIENTS }, (_, i) => lab.namespace(`${name}-c${i + 1}`));
  const links = clientNs.map((ns) => lab.link(serverNs, ns));
  options.shape?.(lab, links);
  const state = statePathIn(tmp.dir, `${name}.db`);
  const tokens = await provision(state, CLIENTS);
  const server = inNamespace(lab, serverNs, [LOCALBP_BIN, 'federate', 'serve', '--state', state, ...SERVE_ARGS, ...(options.serveExtra ?? [])], options.serverEnv);
  await waitForStderr(server, /listening on/, 300_000);
  const startedAt = Date.now();
  const clients = await Promise.all(
    links.map(async (link, i) => {
      let url = `http://${link.a.address}:${PORT}`;
      if (options.relay) {
        const relay = inNamespace(lab, link.b.ns, [process.execPath, RELAY, '9000', link.a.address, String(PORT), '200', '50']);
        for (let t = 0; !relay.stdout.includes('relay listening'); t++) {
          if (t > 500) throw new Error(`the delay relay did not start: ${relay.stderr}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        url = 'http://127.0.0.1:9000';
      }
      return inNamespace(lab, link.b.ns, [
        LOCALBP_BIN, 'federate', 'join', '--server', url, '--token', tokens[i]![1], '--dataset', 'mnist', '--train-limit', String(TRAIN_LIMIT),
        '--partition', 'iid', '--clients', String(CLIENTS), '--client-index', String(i), '--request-timeout', '20', '--json', ...(options.joinExtra ?? []),
      ]);
    }),
  );
  return { lab, links, server, clients, startedAt };
}

/** Waits for the whole federation, checks that it completed with a sound state file, and returns the results. */
async function finish(name: string, f: Federation, extra: () => string = () => '') {
  const [serverResult, ...clientResults] = await Promise.all([f.server.done, ...f.clients.map((c) => c.done)]);
  const seconds = (Date.now() - f.startedAt) / 1000;
  expect(serverResult!.code, serverResult!.stderr).toBe(0);
  for (const r of clientResults) expect(r!.code, r!.stderr).toBe(0);
  const summary = lastJsonLine(serverResult!.stdout) as { completedRounds: number; rounds: Array<{ round: number; clients: Array<{ clientId: string; participated: boolean; rejected?: unknown }> }> };
  expect(summary.completedRounds).toBe(ROUNDS);
  expect(stateProblems(await readStateSummary(statePathIn(tmp.dir, `${name}.db`)), ['cell-1', 'cell-2', 'head'])).toEqual([]);
  figures.set(name, { seconds, retries: clientResults.map((r) => retriesIn(r!)), extra: extra() });
  return { serverResult: serverResult!, clientResults: clientResults as CliResult[], summary };
}

describe.skipIf(support.unavailable !== null).concurrent(
  support.unavailable ? `federation over real network faults: skipped, ${support.unavailable}` : 'federation over real network faults (network namespaces, veth links)',
  () => {
    it('clean links: the baseline the other scenarios are measured against', async () => {
      const f = await startFederation('clean', 0, {});
      const { summary } = await finish('clean', f);
      expect(summary.rounds.every((r) => r.clients.every((c) => c.participated))).toBe(true);
    }, TEST_TIMEOUT_MS);

    it(`200 ms delay with 50 ms jitter each way (${support.noNetem === null ? 'netem' : 'a delaying relay: the kernel has no netem'})`, async () => {
      const viaNetem = support.noNetem === null;
      const f = await startFederation('delay', 1, {
        relay: !viaNetem,
        shape: viaNetem ? (lab, links) => links.forEach((l) => [l.a, l.b].forEach((end) => lab.netem(end, ['delay', '200ms', '50ms']))) : undefined,
      });
      const { summary } = await finish('delay', f, () => (viaNetem ? 'netem delay 200ms 50ms on both ends' : 'relay delay 200 ± 50 ms each way'));
      expect(summary.rounds.every((r) => r.clients.every((c) => c.participated))).toBe(true);
    }, TEST_TIMEOUT_MS);

    it.skipIf(lossWay === null)(
      lossWay ? `5% packet loss each way (${lossWay})` : `5% packet loss: skipped, the kernel has no netem and there is no nft`,
      async () => {
        const f = await startFederation('loss', 2, {
          shape: (lab, links) =>
            links.forEach((l) => {
              if (lossWay === 'netem') [l.a, l.b].forEach((end) => lab.netem(end, ['loss', '5%']));
              else lab.nftLoss(l.b.ns, 5);
            }),
        });
        const dropped = () => f.links.reduce((n, l) => n + (lossWay === 'netem' ? f.lab.netemDropped(l.a) + f.lab.netemDropped(l.b) : f.lab.nftDropped(l.b.ns)), 0);
        await finish('loss', f, () => `${dropped()} packets dropped (${lossWay})`);
        // The loss was real: thousands of packets crossed the links, some of them were dropped.
        expect(dropped()).toBeGreaterThan(0);
      },
      TEST_TIMEOUT_MS,
    );

    it('a 60 s partition of one client: the federation waits for it and it rejoins', async () => {
      // --min-clients 2: later rounds wait for both clients, so the partitioned one must come back and train.
      // A request stuck on the cut link is given up after 10 s and retried.
      const f = await startFederation('partition', 3, { serveExtra: ['--min-clients', '2'], joinExtra: ['--request-timeout', '10'] });
      const victim = f.links[1]!;
      await waitForStderr(f.server, /round 1 complete/, 300_000);
      f.lab.setLink(victim.b, 'down');
      const downAt = Date.now();
      await new Promise((r) => setTimeout(r, PARTITION_MS));
      f.lab.setLink(victim.b, 'up');
      const heldFor = (Date.now() - downAt) / 1000;
      const { clientResults, summary } = await finish('partition', f, () => `client-2 cut off for ${heldFor.toFixed(0)} s`);
      const victimSummary = lastJsonLine(clientResults[1]!.stdout) as { acceptedRounds: number[] };
      expect(victimSummary.acceptedRounds).toContain(ROUNDS);
      expect(summary.rounds.at(-1)!.clients.find((c) => c.clientId === 'client-2')).toMatchObject({ participated: true });
      expect(retriesIn(clientResults[1]!)).toBeGreaterThan(0);
    }, TEST_TIMEOUT_MS);

    it('a server that drops the connection of 3 uploads mid-body: retried with the same key, counted once', async () => {
      const f = await startFederation('drop', 4, { serverEnv: { LOCALBP_TEST_DROP_UPLOADS: '3' } });
      const { serverResult, clientResults, summary } = await finish('drop', f, () => '3 uploads cut mid-body by the server');
      expect(serverResult.stderr.match(/test hook: dropping the connection of client-\d's upload mid-body/g)).toHaveLength(3);
      expect(clientResults.map(retriesIn).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
      for (const r of clientResults) expect((lastJsonLine(r.stdout) as { acceptedRounds: number[]; rejected: unknown[] }).rejected).toEqual([]);
      expect(summary.rounds.every((r) => r.clients.every((c) => c.participated && !c.rejected))).toBe(true);
    }, TEST_TIMEOUT_MS);
  },
);
