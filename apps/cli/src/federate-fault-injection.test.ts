import { SeededRandom } from '@localbp/datasets';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, tempDir, waitForStderr, type CliProcess } from './cli-test-helpers';
import { readStateSummary, stateProblems } from './federate-state-checks';
import { provision, startJoin, startServe, statePathIn, TINY_MODEL } from './federate-test-helpers';

// Two dozen server lives and a few client restarts on a loaded 2-core machine.
const TEST_TIMEOUT_MS = 900_000;
const tmp = tempDir('federate-fault-injection');
afterAll(tmp.cleanup);

const ROUNDS = 14;
const CLIENTS = 2;
const TRAIN_LIMIT = 200;
const UNITS = ['cell-1', 'cell-2', 'head'];
// A restarted server waits at most 2 s for both clients (one may be restarting itself). A killed client's task
// waits for its restarted process (which asks for the same task); 15 s covers a slow start on a loaded machine.
const ARGS = [...TINY_MODEL, '--heartbeat', '0.3', '--heartbeat-timeout', '15', '--crowd-timeout', '2', '--rounds', String(ROUNDS), '--wait-for', String(CLIENTS), '--json'];
const NAMED_POINTS = ['upload-body', 'aggregate', 'commit', 'between-rounds'] as const;

type Kill = { at: (typeof NAMED_POINTS)[number] } | { at: 'random'; afterMs: number };

/**
 * The seeded kill schedule: each named point 5 times and 4 kills at a random moment, shuffled. In 6 of the server
 * lives a client is killed as well and restarted at once: in 3 `upload-body` lives the client whose upload the
 * server stopped halfway, in 3 other lives a client the moment it starts training.
 */
function schedule(seed: number): { kills: Kill[]; clientKills: Map<number, number | 'uploading'> } {
  const random = new SeededRandom(seed);
  const kills: Kill[] = [
    ...NAMED_POINTS.flatMap((at) => Array.from({ length: 5 }, () => ({ at }))),
    ...Array.from({ length: 4 }, () => ({ at: 'random' as const, afterMs: 300 + random.nextInt(2500) })),
  ];
  const order = random.shuffle(kills.map((_, i) => i)).map((i) => kills[i]!);
  const lives = random.shuffle(order.map((_, i) => i));
  const uploads = lives.filter((life) => order[life]!.at === 'upload-body').slice(0, 3);
  const training = lives.filter((life) => order[life]!.at !== 'upload-body').slice(0, 3);
  return {
    kills: order,
    clientKills: new Map<number, number | 'uploading'>([...uploads.map((life) => [life, 'uploading'] as const), ...training.map((life) => [life, random.nextInt(CLIENTS)] as const)]),
  };
}

/** Resolves once `pattern` occurs in the child's stderr more often than it did when called. */
async function waitForMore(proc: CliProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const count = () => (proc.stderr.match(pattern) ?? []).length;
  const seen = count();
  const deadline = Date.now() + timeoutMs;
  while (count() <= seen) {
    if (Date.now() > deadline) throw new Error(`stderr did not show ${pattern} again within ${timeoutMs} ms:\n${proc.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lastCompleted = (stderr: string) => Math.max(0, ...[...stderr.matchAll(/round (\d+) complete/g)].map((m) => Number(m[1])));

describe('federation under SIGKILL at chosen and random points (real serve and join processes, real SQLite file)', () => {
  it('survives two dozen server kills and client kills: every round is committed once, none is lost, the file stays sound', async () => {
    const seed = Number(process.env.LOCALBP_FAULT_SEED ?? 1 + Math.floor(Math.random() * 2 ** 31));
    console.log(`fault injection seed ${seed} (LOCALBP_FAULT_SEED=${seed} repeats the schedule)`);
    const { kills, clientKills } = schedule(seed);
    const state = statePathIn(tmp.dir, 'faults.db');
    const tokens = await provision(state, CLIENTS);
    let port = '0';
    let clients: CliProcess[] = [];
    const startClient = (i: number) => startJoin(`http://127.0.0.1:${port}`, tokens[i]![1], i, CLIENTS, TRAIN_LIMIT);
    const log: string[] = [];
    let committed = 0;
    let trainingKills = 0;
    let uploadKills = 0;
    const started = Date.now();
    try {
      for (const [life, kill] of kills.entries()) {
        const env: Record<string, string> = kill.at === 'random' ? {} : { LOCALBP_TEST_FAULT_POINT: kill.at };
        const { proc, url } = await startServe(state, [...ARGS, '--port', port], env);
        if (port === '0') {
          port = new URL(url).port;
          clients = tokens.map((_, i) => startClient(i));
        }
        const victim = clientKills.get(life);
        const restart = async (i: number) => {
          clients[i]!.child.kill('SIGKILL');
          await clients[i]!.done;
          clients[i] = startClient(i);
        };
        if (typeof victim === 'number') {
          // Kill the client the next time it starts training, then start it again with the same credential.
          await waitForMore(clients[victim]!, /: training /g, 120_000);
          await restart(victim);
          trainingKills++;
        }
        let expected: number[];
        let uploading = '';
        if (kill.at === 'random') {
          // At the random moment, or as soon as this life commits a round: on a fast machine a few seconds can hold
          // several rounds, and the kills must leave rounds for the final life.
          const deadline = Date.now() + kill.afterMs;
          while (Date.now() < deadline && lastCompleted(proc.stderr) <= committed) await new Promise((r) => setTimeout(r, 5));
          proc.child.kill('SIGKILL');
          await proc.done;
          // A commit either happened or did not: the last logged round, or one more if the kill hit after the commit.
          const logged = Math.max(committed, lastCompleted(proc.stderr));
          expected = [logged, logged + 1];
        } else {
          const point = new RegExp(`fault point: ${kill.at} \\(round (\\d+)(?:, client-(\\d+))?\\)`);
          await waitForStderr(proc, point, 120_000);
          const [, roundText, uploader] = point.exec(proc.stderr)!;
          if (victim === 'uploading') {
            // The client whose body the server holds half-read dies mid-upload, before the server does.
            await restart(Number(uploader) - 1);
            uploading = `client-${uploader}`;
            uploadKills++;
          }
          proc.child.kill('SIGKILL');
          await proc.done;
          const round = Number(roundText);
          // Killed before its commit went through, the round is redone; killed between rounds, it is kept.
          expected = [kill.at === 'between-rounds' ? round : round - 1];
        }
        const summary = await readStateSummary(state);
        const client = victim === undefined ? '' : victim === 'uploading' ? ` (and ${uploading}, mid-upload)` : ` (and client-${victim + 1}, training)`;
        log.push(`life ${life + 1}: SIGKILL at ${kill.at}${kill.at === 'random' ? ` +${kill.afterMs} ms` : ''}${client} -> committed ${summary.round}`);
        expect(stateProblems(summary, UNITS), log.join('\n')).toEqual([]);
        expect(expected, log.join('\n')).toContain(summary.round);
        expect(summary.round).toBeGreaterThanOrEqual(committed);
        committed = summary.round;
      }
      expect(committed, 'the kills left rounds for the final life to run').toBeLessThan(ROUNDS);
      expect([trainingKills, uploadKills]).toEqual([3, 3]);
      const last = await startServe(state, [...ARGS, '--port', port]);
      const [serverResult, ...clientResults] = await Promise.all([last.proc.done, ...clients.map((c) => c.done)]);
      expect(serverResult!.code, serverResult!.stderr).toBe(0);
      for (const r of clientResults) expect(r!.code, r!.stderr).toBe(0);
      expect(serverResult!.stderr).toMatch(new RegExp(`resuming after round ${committed} of ${ROUNDS}`));
      expect(lastJsonLine(serverResult!.stdout)).toMatchObject({ completedRounds: ROUNDS, resumedFrom: committed });
      const final = await readStateSummary(state);
      expect(stateProblems(final, UNITS)).toEqual([]);
      expect(final.round).toBe(ROUNDS);
      // The killed lives' spooled updates were cleared at each start, the last round's at its close.
      expect(readdirSync(`${state}-spool`)).toEqual([]);
      const retries = clientResults.map((r) => (r!.stderr.match(/retry \d+ in \d+ ms/g) ?? []).length);
      console.log(
        [
          ...log,
          `fault injection seed ${seed}: ${kills.length} server SIGKILLs and ${trainingKills + uploadKills} client SIGKILLs (${trainingKills} training, ${uploadKills} mid-upload) survived; ${ROUNDS} rounds, each committed once; ` +
            `integrity_check ok after every kill; client retries ${retries.join(' + ')}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
        ].join('\n'),
      );
    } finally {
      for (const c of clients) c.child.kill('SIGKILL');
    }
  }, TEST_TIMEOUT_MS);
});
