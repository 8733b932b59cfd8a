import { encodeFrame, FederationClient, FederationError, type TaskMessage, type WeightArray } from '@localbp/federation';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, STACK_LINE, tempDir } from './cli-test-helpers';
import { FAST_LIVENESS, provision, startJoin, startServe, statePathIn, TINY_MODEL } from './federate-test-helpers';

// Each test starts several node processes; on a loaded 2-core machine that takes minutes.
const TEST_TIMEOUT_MS = 900_000;
const tmp = tempDir('federate-faults');
afterAll(tmp.cleanup);

const ROUNDS = ['--rounds', '2', '--local-epochs', '1'];
const TRAIN_LIMIT = 450;

interface Summary {
  completedRounds: number;
  roundAccuracy: number[];
  rounds: Array<{ round: number; clients: Array<{ clientId: string; participated: boolean; rejected?: { code: string; reason: string } }> }>;
}

/** Polls until the server hands this client a task. */
async function nextTask(client: FederationClient): Promise<{ message: TaskMessage; tensors: WeightArray[] }> {
  for (;;) {
    const poll = await client.poll();
    if (poll.kind === 'task') return poll;
    if (poll.kind === 'finished') throw new Error('the run finished before a task came');
    await new Promise((r) => setTimeout(r, poll.retryAfterMs));
  }
}

/** A well-formed update that returns the global weights unchanged: only the corruption makes it bad. */
function honestUpdate(task: { message: TaskMessage; tensors: WeightArray[] }) {
  const units = task.message.train;
  const prior = (id: string) => (id === 'head' ? units.filter((u) => u !== 'head') : units.slice(0, units.indexOf(id)));
  return {
    message: {
      type: 'update' as const,
      round: task.message.round,
      taskId: task.message.taskId,
      examples: 10,
      units: units.map((id) => ({ id, baseVersion: task.message.versions[id]!, upstreamVersions: Object.fromEntries(prior(id).map((u) => [u, task.message.versions[u]!])) })),
      metrics: {},
    },
    tensors: task.tensors.map((t) => ({ ...t, values: t.values.slice() })),
  };
}

async function rejection(promise: Promise<unknown>): Promise<FederationError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof FederationError) return err;
    throw err;
  }
  throw new Error('the server accepted an update it should have rejected');
}

describe('federation server under hostile and broken clients (real processes over loopback)', () => {
  it('rejects NaN, wrong shapes, oversized and garbage bodies, bad credentials and raw junk, while honest clients finish and the model is unaffected', async () => {
    const state = statePathIn(tmp.dir, 'faults.db');
    const honest = await provision(state, 3);
    const rogues = await provision(state, 4, 'rogue');
    const { proc: server, url } = await startServe(state, [...TINY_MODEL, ...FAST_LIVENESS, ...ROUNDS, '--wait-for', '7', '--json']);
    const joins = honest.map(([, token], i) => startJoin(url, token, i, 3, TRAIN_LIMIT));

    const clients = rogues.map(([, token]) => new FederationClient({ server: url, token }));
    const joined = await Promise.all(clients.map((c) => c.join('rogue')));
    const limit = joined[0]!.limits.maxBodyBytes;
    const tasks = await Promise.all(clients.map((c) => nextTask(c)));

    const nan = honestUpdate(tasks[0]!);
    nan.tensors[1]!.values[3] = Number.NaN;
    const shape = honestUpdate(tasks[1]!);
    shape.tensors[0] = { ...shape.tensors[0]!, shape: [shape.tensors[0]!.values.length] };
    const errors = {
      nan: await rejection(clients[0]!.upload(nan.message, nan.tensors, 'k-nan')),
      shape: await rejection(clients[1]!.upload(shape.message, shape.tensors, 'k-shape')),
      oversized: await rejection(clients[2]!.uploadBytes(new Uint8Array(limit + 1024), 'k-big')),
      garbage: await rejection(clients[3]!.uploadBytes(new TextEncoder().encode('definitely not a frame'), 'k-junk')),
      credential: await rejection(new FederationClient({ server: url, token: 'lbp_forged' }).join()),
    };
    expect(Object.fromEntries(Object.entries(errors).map(([k, e]) => [k, e.code]))).toEqual({
      nan: 'non-finite',
      shape: 'bad-shape',
      oversized: 'body-too-large',
      garbage: 'bad-request',
      credential: 'unauthorized',
    });
    expect(errors.nan.message).toMatch(/holds NaN at index 3/);
    expect(errors.shape.message).toMatch(/has shape \[\d+\], expected \[\d+, \d+\]/);
    expect(errors.oversized.message).toMatch(new RegExp(`exceeds this server's limit of ${limit} bytes`));
    // A rejected update is final for its round; a correct one sent afterwards changes nothing either. Which code
    // says so depends on timing: `already-submitted` while round 1 is open, `stale-update` once the honest
    // clients have finished it (on a loaded machine either can come first).
    const late = honestUpdate(tasks[0]!);
    expect(['already-submitted', 'stale-update']).toContain((await rejection(clients[0]!.upload(late.message, late.tensors, 'k-again'))).code);
    // Not HTTP at all: the server answers 400 and keeps serving.
    const junkReply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write('\x00\x01garbage\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(junkReply).toMatch(/^HTTP\/1.1 400/);

    const [serverResult, ...joinResults] = await Promise.all([server.done, ...joins.map((j) => j.done)]);
    expect(serverResult!.code, serverResult!.stderr).toBe(0);
    for (const r of joinResults) expect(r!.code, r!.stderr).toBe(0);
    const summary = lastJsonLine(serverResult!.stdout) as unknown as Summary;
    expect(summary.completedRounds).toBe(2);
    const first = summary.rounds[0]!;
    expect(first.clients.filter((c) => c.participated).map((c) => c.clientId).sort()).toEqual(['client-1', 'client-2', 'client-3']);
    expect(Object.fromEntries(first.clients.filter((c) => c.rejected).map((c) => [c.clientId, c.rejected!.code]))).toEqual({
      'rogue-1': 'non-finite',
      'rogue-2': 'bad-shape',
      'rogue-3': 'body-too-large',
      'rogue-4': 'bad-request',
    });
    // Every rejection is logged by the server.
    expect(serverResult!.stderr).toMatch(/rejected update of rogue-1: non-finite/);
    expect(serverResult!.stderr).toMatch(/rejected upload of rogue-3: body-too-large/);

    // The same honest clients without any rogue reach exactly the same model.
    const control = await runCli(['federate', 'simulate', '--clients', '3', '--partition', 'iid', '--train-limit', String(TRAIN_LIMIT), ...TINY_MODEL, ...FAST_LIVENESS, ...ROUNDS, '--json']);
    expect(control.code, control.stderr).toBe(0);
    expect((lastJsonLine(control.stdout) as unknown as Summary).roundAccuracy).toEqual(summary.roundAccuracy);
  }, TEST_TIMEOUT_MS);

  it('refuses a client with a wrong credential: clear message, exit code 1', async () => {
    const state = statePathIn(tmp.dir, 'credential.db');
    await provision(state, 1);
    const { proc: server, url } = await startServe(state, [...TINY_MODEL, ...ROUNDS]);
    try {
      const res = await startJoin(url, 'lbp_not-a-real-token', 0, 1, 100).done;
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/localbp: error: the server refused this client's credential: unknown client token/);
      expect(res.stderr).not.toMatch(STACK_LINE);
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  }, TEST_TIMEOUT_MS);
});
