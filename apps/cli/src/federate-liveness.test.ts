import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, tempDir, waitForStderr } from './cli-test-helpers';
import { provision, startJoin, startServe, statePathIn, TINY_MODEL } from './federate-test-helpers';

// Several node processes on a loaded 2-core machine: minutes.
const TEST_TIMEOUT_MS = 900_000;
const tmp = tempDir('federate-liveness');
afterAll(tmp.cleanup);

interface Summary {
  completedRounds: number;
  resumedFrom: number;
  rounds: Array<{ round: number; seconds: number; clients: Array<{ clientId: string; participated: boolean; vanished?: boolean }> }>;
}

describe('federation liveness with real processes', () => {
  it('a restart with fewer clients than --wait-for goes on after --crowd-timeout; changed options are logged, fixed ones refused', async () => {
    const state = statePathIn(tmp.dir, 'crowd.db');
    const tokens = await provision(state, 2);
    const args = [...TINY_MODEL, '--heartbeat', '0.3', '--heartbeat-timeout', '30', '--rounds', '3', '--wait-for', '2', '--json'];
    const first = await startServe(state, args);
    const joins = tokens.map(([, token], i) => startJoin(first.url, token, i, 2, 400));
    await waitForStderr(first.proc, /round 1 complete/, 300_000);
    first.proc.child.kill('SIGKILL');
    joins[1]!.child.kill('SIGKILL'); // client-2 leaves for good
    await Promise.all([first.proc.done, joins[1]!.done]);

    // What the run is cannot change: refused, naming the stored value, before anything starts.
    const refused = await runCli(['federate', 'serve', '--state', state, '--port', '0', ...args, '--rounds', '5']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/rounds cannot change at a restart: the state database holds 3, the command asks for 5/);

    const port = new URL(first.url).port;
    const second = await startServe(state, [...args, '--port', port, '--crowd-timeout', '3', '--rate', '30']);
    const [serverResult, survivor] = await Promise.all([second.proc.done, joins[0]!.done]);
    expect(serverResult!.code, serverResult!.stderr).toBe(0);
    expect(survivor!.code, survivor!.stderr).toBe(0);
    expect(serverResult!.stderr).toMatch(/restart: crowdTimeoutMs changed from 120000 to 3000/);
    expect(serverResult!.stderr).toMatch(/restart: requestsPerSecond changed from 20 to 30/);
    // Options given with their stored value (--wait-for 2, --rounds 3) change nothing and are not logged.
    expect(serverResult!.stderr).not.toMatch(/restart: (waitForClients|rounds)/);
    expect(serverResult!.stderr).toMatch(/crowd timeout: waited 3 s for 2 clients after the restart; going on with the 1 present/);
    const summary = lastJsonLine(serverResult!.stdout) as unknown as Summary;
    expect(summary).toMatchObject({ resumedFrom: 1, completedRounds: 3 });
    expect(summary.rounds.slice(1).map((r) => r.clients.map((c) => c.clientId))).toEqual([['client-1'], ['client-1']]);
  }, TEST_TIMEOUT_MS);

  it('a frozen client (SIGSTOP) is treated as vanished after --heartbeat-timeout and the round closes without it', async () => {
    const state = statePathIn(tmp.dir, 'frozen.db');
    const tokens = await provision(state, 2);
    // Five local epochs: client-2 is still training when it is stopped.
    const { proc: server, url } = await startServe(state, [
      ...TINY_MODEL, '--heartbeat', '0.3', '--heartbeat-timeout', '8', '--rounds', '2', '--local-epochs', '5', '--wait-for', '2', '--json',
    ]);
    const joins = tokens.map(([, token], i) => startJoin(url, token, i, 2, 2000));
    const frozen = joins[1]!;
    try {
      await waitForStderr(frozen, /round 1: training/, 300_000);
      frozen.child.kill('SIGSTOP');
      const [serverResult, alive] = await Promise.all([server.done, joins[0]!.done]);
      expect(serverResult!.code, serverResult!.stderr).toBe(0);
      expect(alive!.code, alive!.stderr).toBe(0);
      const summary = lastJsonLine(serverResult!.stdout) as unknown as Summary;
      expect(summary.completedRounds).toBe(2);
      const [r1, r2] = summary.rounds;
      expect(r1!.clients.find((c) => c.clientId === 'client-2')).toMatchObject({ participated: false, vanished: true });
      expect(r1!.clients.find((c) => c.clientId === 'client-1')).toMatchObject({ participated: true });
      expect(r2!.clients.map((c) => c.clientId)).toEqual(['client-1']);
      expect(serverResult!.stderr).toMatch(/round 1 complete: 1 update\(s\), vanished: client-2/);
    } finally {
      frozen.child.kill('SIGCONT');
      frozen.child.kill('SIGKILL');
      await frozen.done;
    }
  }, TEST_TIMEOUT_MS);
});
