import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCALBP_BIN, runCli, startCli, tempDir, waitForStderr } from './cli-test-helpers';

const tmp = tempDir('experiment-resume');
afterAll(tmp.cleanup);

// 2000 / 16 = 125 batches: the interrupt lands well inside the first run.
const LONG = ['--models', 'lbp-ae', '--seeds', '2', '--epochs', '1', '--train-limit', '2000', '--test-limit', '100', '--batch-size', '16', '--width', '32'];
async function waitUntil(ready: () => boolean, output: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

describe('localbp experiment: Ctrl-C stops cleanly and the same command resumes', () => {
  const out = path.join(tmp.dir, 'interrupted');
  const grid = ['experiment', ...LONG, '--out', out];

  it('SIGINT passes to the running child, which checkpoints; the grid exits 130 with a partial report', async () => {
    const proc = startCli(grid);
    await waitForStderr(proc, /\[1\/2\] mnist lbp-ae seed 1 \| all epoch 1\/1 \d+\/125 /, 60_000);
    proc.child.kill('SIGINT');
    const res = await proc.done;
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('interrupt: stopping once the current run has written its checkpoint');
    expect(res.stderr).toMatch(/\[1\/2\] mnist lbp-ae seed 1: interrupted after \d+ s/);
    expect(res.stderr).toContain('rerun the same command to resume');
    const progress = readJson<{ progress: { step: number } }>(path.join(out, 'mnist/lbp-ae/seed-1/checkpoint.json')).progress;
    expect(progress.step).toBeGreaterThan(0);
    expect(progress.step).toBeLessThan(125);
    expect(existsSync(path.join(out, 'mnist/lbp-ae/seed-2'))).toBe(false);
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('**Partial: 0 of 2 runs finished**');
    expect(report).toContain('mnist/lbp-ae/seed-1: interrupted; a rerun resumes it from its checkpoint');
    expect(report).toContain('mnist/lbp-ae/seed-2: not run yet');
  });

  it('rerunning continues the interrupted run from its checkpoint, then runs the rest', async () => {
    const res = await runCli(grid);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('[1/2] mnist lbp-ae seed 1: resuming from its checkpoint');
    expect(res.stderr).toMatch(/\[1\/2\] mnist lbp-ae seed 1 \| resuming .* at phase 1, epoch 1, batch \d+/);
    expect(res.stderr).toContain('[2/2] mnist lbp-ae seed 2: training');
    expect(readJson<{ resumes: number }>(path.join(out, 'mnist/lbp-ae/seed-1/experiment-cell.json')).resumes).toBe(1);
    const results = readJson<{ runs: Array<{ seed: number; resumed: boolean }>; results: { models: Array<{ secondsPerEpoch: { n: number } }> } }>(
      path.join(out, 'results.json'),
    );
    expect(results.runs.map((r) => [r.seed, r.resumed])).toEqual([[1, true], [2, false]]);
    // The resumed run timed only part of its epoch: seconds per epoch come from the other seed.
    expect(results.results.models[0]!.secondsPerEpoch.n).toBe(1);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('Complete: all 2 runs');
  });
});

describe('localbp experiment: Ctrl-C in a terminal signals the grid and its child at once', () => {
  it('the child counts the doubled signal once: it checkpoints instead of quitting at once', async () => {
    const out = path.join(tmp.dir, 'terminal');
    const child = spawn(process.execPath, [LOCALBP_BIN, 'experiment', ...LONG, '--out', out], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitUntil(() => /\[1\/2\] mnist lbp-ae seed 1 \| all epoch 1\/1 \d+\/125 /.test(stderr), () => stderr);
    // As a terminal does: the whole foreground process group gets SIGINT, and the grid passes it on too.
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).not.toContain('exiting without a checkpoint');
    expect(existsSync(path.join(out, 'mnist/lbp-ae/seed-1/checkpoint.json'))).toBe(true);
  });
});

describe('localbp experiment: a grid killed outright (SIGKILL to its process group) resumes', () => {
  const out = path.join(tmp.dir, 'killed');
  const grid = ['experiment', ...LONG, '--out', out];

  it('keeps finished runs and trains the killed one again', async () => {
    // Its own process group, so one kill takes the grid and its running child, as a crash or OOM kill would.
    const child = spawn(process.execPath, [LOCALBP_BIN, ...grid], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    await waitUntil(() => /\[2\/2\] mnist lbp-ae seed 2 \| all epoch 1\/1 \d+\/125 /.test(stderr), () => stderr);
    process.kill(-child.pid!, 'SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(path.join(out, 'mnist/lbp-ae/seed-1/summary.json'))).toBe(true);
    expect(existsSync(path.join(out, 'mnist/lbp-ae/seed-2/summary.json'))).toBe(false);

    const res = await runCli(grid);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('[1/2] mnist lbp-ae seed 1: already complete, not rerun');
    expect(res.stderr).toMatch(/\[2\/2\] mnist lbp-ae seed 2: (training|resuming from its checkpoint)/);
    expect(readJson<{ status: string }>(path.join(out, 'mnist/lbp-ae/seed-2/summary.json')).status).toBe('completed');
  });
});
