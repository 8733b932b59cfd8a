import { openRunStore } from '@localbp/trainer/run-store';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, STACK_LINE, startCli, tempDir, waitForStderr } from './cli-test-helpers';

const tmp = tempDir('store');
afterAll(tmp.cleanup);

const TINY = ['--cells', 'ae,dae', '--width', '16', '--train-limit', '256', '--test-limit', '100', '--batch-size', '64', '--epochs', '2'];

describe('localbp train records runs in the run store', () => {
  it('records config, backend, versions, command, per-cell metrics and reconstruction grids by default', async () => {
    const res = await runCli(['train', ...TINY, '--out', 'runs/tiny', '--json'], tmp.dir);
    expect(res.code, res.stderr).toBe(0);
    const file = path.join(tmp.dir, 'runs', 'localbp.sqlite');
    expect(res.stderr).toContain(`in ${file}`);
    const store = await openRunStore(file);
    try {
      const [run] = await store.listRuns();
      expect(run).toMatchObject({ name: 'tiny', status: 'completed' });
      // auto: native where the OpenBLAS addon is built, else wasm.
      expect(['native', 'wasm']).toContain(run!.backend);
      expect(run!.command).toBe(`localbp train ${TINY.join(' ')} --out runs/tiny --json`);
      expect(run!.versions.node).toBe(process.version);
      expect(run!.config).toMatchObject({ model: { model: 'lbp', width: 16 }, fit: { epochs: 2, batchSize: 64 }, data: { dataset: 'mnist', trainLimit: 256 } });
      const metrics = await store.metrics(run!.id);
      const cells = new Set(metrics.filter((m) => m.key.startsWith('loss/cell-')).map((m) => m.cell));
      expect([...cells].sort()).toEqual(['cell-1', 'cell-2']);
      expect(metrics.filter((m) => m.key === 'testAccuracy')).toHaveLength(2);
      const kinds = (await store.artifacts(run!.id)).map((a) => `${a.kind}:${a.cell}`);
      // Before training, after each of the two epochs, then the checkpoint.
      expect(kinds).toEqual([...Array(3).fill(['reconstruction:cell-1', 'reconstruction:cell-2']).flat(), 'checkpoint:null']);
      expect((await store.events(run!.id, { kind: 'summary' }))[0]?.payload).toMatchObject({ status: 'completed', dataset: 'mnist' });
    } finally {
      await store.close();
    }
  });

  it('--no-store records nothing; --store chooses the file', async () => {
    const dir = path.join(tmp.dir, 'nostore');
    mkdirSync(dir);
    const res = await runCli(['train', ...TINY, '--epochs', '1', '--no-store', '--out', 'runs/run'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toContain('recording run');
    expect(existsSync(path.join(dir, 'runs', 'run', 'checkpoint.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'runs', 'localbp.sqlite'))).toBe(false);
    const chosen = path.join(tmp.dir, 'team', 'chosen.sqlite');
    const res2 = await runCli(['train', ...TINY, '--epochs', '1', '--store', chosen, '--out', path.join(dir, 'run2')], tmp.dir);
    expect(res2.code, res2.stderr).toBe(0);
    expect(existsSync(chosen)).toBe(true);
  });

  it('an interrupted run shows as interrupted, and --resume continues the same record to completion', async () => {
    const store = path.join(tmp.dir, 'resume.sqlite');
    const out = path.join(tmp.dir, 'resumed');
    const long = ['--train-limit', '2000', '--test-limit', '100', '--batch-size', '16', '--width', '16', '--epochs', '2'];
    const proc = startCli(['train', ...long, '--store', store, '--out', out], tmp.dir);
    await waitForStderr(proc, /epoch 1\/2 \d+\/125 /);
    proc.child.kill('SIGINT');
    expect((await proc.done).code).toBe(130);
    const s = await openRunStore(store);
    try {
      const [interrupted] = await s.listRuns();
      expect(interrupted?.status).toBe('interrupted');
      const before = await s.metrics(interrupted!.id, { keys: ['loss/cell-1'] });
      expect(before.length).toBeGreaterThan(0);

      const res = await runCli(['train', '--resume', out, '--store', store], tmp.dir);
      expect(res.code, res.stderr).toBe(0);
      const runs = await s.listRuns();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ id: interrupted!.id, status: 'completed' });
      const steps = (await s.metrics(interrupted!.id, { keys: ['loss/cell-1'] })).map((m) => m.step);
      // One point per step 1..250, none twice: the resumed run continues the step count.
      expect(steps).toEqual([...Array(250).keys()].map((i) => i + 1));
    } finally {
      await s.close();
    }
  });

  it('a run that fails mid-way is recorded as failed, with the error as an event', async () => {
    const store = path.join(tmp.dir, 'failing.sqlite');
    const out = path.join(tmp.dir, 'failing');
    const long = ['--train-limit', '2000', '--test-limit', '100', '--batch-size', '16', '--width', '16', '--epochs', '2'];
    const proc = startCli(['train', ...long, '--store', store, '--out', out], tmp.dir);
    await waitForStderr(proc, /epoch 1\/2 \d+\/125 /);
    // The epoch-end checkpoint cannot be written: --out has become a file.
    rmSync(out, { recursive: true, force: true });
    writeFileSync(out, 'not a directory');
    const res = await proc.done;
    expect(res.code).toBe(1);
    const s = await openRunStore(store);
    try {
      const [run] = await s.listRuns();
      expect(run).toMatchObject({ status: 'failed' });
      expect(run!.endedAt).not.toBeNull();
      const [error] = await s.events(run!.id, { kind: 'error' });
      expect(String((error!.payload as { message: string }).message)).toMatch(/ENOTDIR|EEXIST|not a directory/);
      expect((await s.metrics(run!.id, { keys: ['loss/cell-1'] })).length).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });

  it('a file that is not a run store is a one-line error (exit 1) and stays untouched', async () => {
    const file = path.join(tmp.dir, 'notes.txt');
    writeFileSync(file, 'my notes');
    const res = await runCli(['train', ...TINY, '--store', file, '--out', path.join(tmp.dir, 'never')], tmp.dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^localbp: error: .*notes\.txt is not a SQLite database/m);
    expect(res.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(path.join(tmp.dir, 'never'))).toBe(false);
  });
});
