import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from './credentials';
import { ServerStateDb } from './server-state-db';

const dir = mkdtempSync(path.join(tmpdir(), 'localbp-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ServerStateDb (SQLite)', () => {
  it('stores only token hashes and finds clients by them, in provisioning order', async () => {
    const file = path.join(dir, 'clients.db');
    const db = await ServerStateDb.open(file);
    const alice = await db.addClient('alice');
    const bob = await db.addClient('bob');
    expect(alice).toMatch(/^lbp_[A-Za-z0-9_-]{43}$/);
    expect(alice).not.toBe(bob);
    await expect(db.addClient('alice')).rejects.toThrow(/already exists/);
    await expect(db.addClient('no spaces')).rejects.toThrow(/letters, digits/);
    db.close();
    const reopened = await ServerStateDb.open(file);
    expect(await reopened.clientForTokenHash(hashToken(bob))).toBe('bob');
    expect(await reopened.clientForTokenHash(hashToken('lbp_guess'))).toBeNull();
    expect(await reopened.clientNames()).toEqual(['alice', 'bob']);
    reopened.close();
  });

  it('commits a round atomically and reads the exact weights, versions and history back', async () => {
    const file = path.join(dir, 'rounds.db');
    const db = await ServerStateDb.open(file);
    expect(await db.readCheckpoint()).toBeNull();
    const weights = [
      { name: 'cell-1/k', shape: [2, 2], values: Float32Array.from([1.5, -2, Math.PI, 1e-30]) },
      { name: 'head/b', shape: [1], values: Float32Array.from([7]) },
    ];
    await db.commitRound(0, {}, weights, null);
    const report = { round: 1, attempt: 1, testAccuracy: 0.5, seconds: 1, aggregationSeconds: 0.1, versions: { 'cell-1': 1, head: 1 }, clients: [] };
    await db.commitRound(1, { 'cell-1': 1, head: 1 }, weights.map((w) => ({ ...w, values: w.values.map((v) => v * 2) })), report);
    db.close();
    const restored = await (await ServerStateDb.open(file)).readCheckpoint();
    expect(restored!.round).toBe(1);
    expect(restored!.versions).toEqual({ 'cell-1': 1, head: 1 });
    expect(restored!.weights.map((w) => [w.name, w.shape, Array.from(w.values)])).toEqual([
      ['cell-1/k', [2, 2], Array.from(Float32Array.from([3, -4, 2 * Math.PI, 2e-30]))],
      ['head/b', [1], [14]],
    ]);
    expect(restored!.history).toEqual([report]);
  });

  it('stores a round once, rolls back a commit that fails midway, and passes SQLite\'s integrity check', async () => {
    const file = path.join(dir, 'once.db');
    const db = await ServerStateDb.open(file);
    const w = (v: number) => [{ name: 'head/b', shape: [1], values: Float32Array.from([v]) }];
    const report = (round: number) => ({ round, attempt: 1, testAccuracy: null, seconds: 1, aggregationSeconds: 0, versions: { head: round }, clients: [] });
    await db.commitRound(0, {}, w(0), null);
    await db.commitRound(1, { head: 1 }, w(1), report(1));
    await expect(db.commitRound(1, { head: 2 }, w(2), report(1))).rejects.toThrow(/UNIQUE constraint failed: rounds.round/);
    // The weights were already written inside the transaction when it failed: none of it stays.
    await expect(db.commitRound(2, { head: 2 }, w(2), report(2), () => Promise.reject(new Error('crash midway')))).rejects.toThrow('crash midway');
    const state = await db.readCheckpoint();
    expect({ round: state!.round, versions: state!.versions, value: state!.weights[0]!.values[0], rounds: state!.history.map((r) => r.round) }).toEqual({
      round: 1,
      versions: { head: 1 },
      value: 1,
      rounds: [1],
    });
    expect(await db.integrityCheck()).toBe('ok');
    db.close();
  });
});
