import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, STACK_LINE, startCli, tempDir, waitForStderr } from './cli-test-helpers';

const tmp = tempDir('resume');
afterAll(tmp.cleanup);

interface Manifest {
  progress: { phase: number; epoch: number; batch: number; step: number; epochsDone: number };
  fit: { epochs: number };
  run: { backend: string; backendChoice: string };
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as Manifest;
}

// 2000 / 16 = 125 batches per epoch, 250 in all: plenty left when the interrupt lands.
const BATCHES_PER_EPOCH = 125;
const LONG = ['--train-limit', '2000', '--test-limit', '100', '--batch-size', '16', '--width', '32', '--epochs', '2'];

describe('localbp train: Ctrl-C writes a checkpoint and --resume completes the run', () => {
  const out = path.join(tmp.dir, 'run');

  it('SIGINT after the first batch finishes the batch, checkpoints mid-run and exits 130', async () => {
    const proc = startCli(['train', ...LONG, '--json', '--out', out]);
    await waitForStderr(proc, new RegExp(`epoch 1/2 \\d+/${BATCHES_PER_EPOCH} `));
    proc.child.kill('SIGINT');
    const res = await proc.done;
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('interrupt');
    expect(res.stderr).toContain(`--resume ${out}`);
    expect(res.stderr).not.toMatch(STACK_LINE);
    expect(lastJsonLine(res.stdout)).toMatchObject({ status: 'interrupted', epochs: 2 });

    const { progress } = readManifest(out);
    expect(progress.step).toBeGreaterThan(0);
    expect(progress.step).toBeLessThan(2 * BATCHES_PER_EPOCH);
    expect(progress.epochsDone).toBeLessThan(2);
    expect(progress.phase).toBe(0);
  });

  it('--resume refuses flags that would change the saved configuration (exit 2)', async () => {
    const before = readFileSync(path.join(out, 'checkpoint.json'), 'utf8');
    const res = await runCli(['train', '--resume', out, '--width', '10']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^localbp: error: .*--resume.*--width/);
    const res2 = await runCli(['train', '--resume', out, '--epochs', '3', '--json']);
    expect(res2.code).toBe(2);
    expect(res2.stderr).toContain('--epochs');
    // Refused before touching the run.
    expect(readFileSync(path.join(out, 'checkpoint.json'), 'utf8')).toBe(before);
  });

  it('--resume continues from the checkpoint and completes both epochs', async () => {
    const interrupted = readManifest(out);
    const res = await runCli(['train', '--resume', out, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`resuming ${out} at phase 1, epoch ${interrupted.progress.epoch + 1}, batch ${interrupted.progress.batch}`);
    // Progress lines count epochs from the checkpoint's, not from 1.
    expect(res.stderr).toMatch(new RegExp(`all epoch ${interrupted.progress.epoch + 1}/2 done in`));
    const summary = lastJsonLine(res.stdout);
    expect(summary).toMatchObject({ status: 'completed', epochs: 2, trainExamples: 2000, testExamples: 100, batchSize: 16 });
    expect(summary.epochSeconds).toHaveLength(2);
    expect(summary.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(summary.testAccuracy).toBeLessThanOrEqual(1);
    expect((summary.cells as unknown[]).length).toBe(3);

    const done = readManifest(out);
    expect(done.progress.epochsDone).toBe(2);
    expect(done.run.backend).toBe(summary.backend);
    const saved = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ status: 'completed', epochs: 2, backend: summary.backend });
  });

  it('--resume of a completed run reports it without training again', async () => {
    const res = await runCli(['train', '--resume', out, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('already completed');
    expect(res.stderr).not.toMatch(/epoch \d+\/2 \d+\//);
    expect(lastJsonLine(res.stdout)).toMatchObject({ status: 'completed', epochs: 2 });
  });
});

describe('localbp train --resume keeps the recorded backend', () => {
  it('resumes a --backend cpu run on cpu unless --backend is given again', async () => {
    const out = path.join(tmp.dir, 'cpu');
    const tiny = ['--train-limit', '64', '--test-limit', '32', '--width', '8', '--batch-size', '32'];
    const first = await runCli(['train', ...tiny, '--backend', 'cpu', '--json', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(readManifest(out).run).toMatchObject({ backend: 'cpu', backendChoice: 'cpu' });

    const resumed = await runCli(['train', '--resume', out, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJsonLine(resumed.stdout).backend).toBe('cpu');
    expect(resumed.stderr).toContain('backend: cpu');

    const overridden = await runCli(['train', '--resume', out, '--backend', 'wasm', '--json']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(lastJsonLine(overridden.stdout).backend).toBe('wasm');
  });
});
