import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, type CliProcess } from './cli-test-helpers';

const tmp = tempDir('dashboard');
afterAll(tmp.cleanup);

async function urlOf(proc: CliProcess): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (!/dashboard: (http:\S+)/.test(proc.stdout)) {
    if (Date.now() > deadline) throw new Error(`no dashboard URL on stdout:\n${proc.stdout}\n${proc.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return /dashboard: (http:\S+)/.exec(proc.stdout)![1]!;
}

describe('localbp dashboard', () => {
  it('after `localbp train --out runs/x`, serves that run from the default store on loopback', async () => {
    const train = await runCli(['train', '--cells', 'ae,dae', '--width', '16', '--train-limit', '256', '--test-limit', '100', '--batch-size', '64', '--out', 'runs/x'], tmp.dir);
    expect(train.code, train.stderr).toBe(0);
    const proc = startCli(['dashboard', '--port', '0'], tmp.dir);
    try {
      const url = await urlOf(proc);
      expect(new URL(url).hostname).toBe('127.0.0.1');
      expect(proc.stdout).toContain(path.join(tmp.dir, 'runs', 'localbp.sqlite'));
      const runs = (await (await fetch(new URL('/api/runs', url))).json()) as Array<{ id: string; name: string; status: string }>;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ name: 'x', status: 'completed' });
      const metrics = (await (await fetch(new URL(`/api/runs/${runs[0]!.id}/metrics`, url))).json()) as { cell: Array<string | null> };
      expect(new Set(metrics.cell.filter(Boolean))).toEqual(new Set(['cell-1', 'cell-2']));
      const page = await fetch(url);
      expect(await page.text()).toContain('<script src="/assets/app.js"></script>');
      expect((await fetch(new URL('/assets/app.js', url))).status).toBe(200);
    } finally {
      proc.child.kill('SIGINT');
    }
    expect((await proc.done).code).toBe(0);
  });

  it('refuses a missing store (exit 1) and a bad port (exit 2), and warns when not on loopback', async () => {
    const empty = path.join(tmp.dir, 'empty');
    mkdirSync(empty);
    const missing = await runCli(['dashboard', '--port', '0'], empty);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^localbp: error: no run store at .*runs\/localbp\.sqlite: train a run first/m);
    const wide = startCli(['dashboard', '--port', '0', '--host', '0.0.0.0'], tmp.dir);
    try {
      expect(new URL(await urlOf(wide)).hostname).toBe('0.0.0.0');
      expect(wide.stderr).toContain('anyone who can reach this address can read your runs');
    } finally {
      wide.child.kill('SIGINT');
    }
    expect((await wide.done).code).toBe(0);
    const badPort = await runCli(['dashboard', '--port', '99999'], tmp.dir);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port must be an integer 0-65535');
  });
});
