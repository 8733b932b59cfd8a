import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, STACK_LINE, startCli, tempDir, waitForStderr } from './cli-test-helpers';

const tmp = tempDir('workers');
afterAll(tmp.cleanup);

const FAILING_PLUGIN = fileURLToPath(new URL('../fixtures/plugin-failing-cell', import.meta.url));
// 1280 / 16 = 80 batches per epoch.
const RUN = ['--train-limit', '1280', '--test-limit', '100', '--batch-size', '16', '--width', '32', '--cells', 'ae,dae,ae', '--epochs', '2', '--backend', 'wasm', '--no-store'];

interface Manifest {
  progress: { step: number; epochsDone: number; batch: number };
  weightsFile: string;
}
const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as Manifest;
// Weights and optimizer state, every bit.
const checkpointBytes = (dir: string) => readFileSync(path.join(dir, manifest(dir).weightsFile));

describe('localbp train --workers', () => {
  const single = path.join(tmp.dir, 'single');
  const piped = path.join(tmp.dir, 'piped');

  it('--workers 1 trains on the main thread', async () => {
    const res = await runCli(['train', ...RUN, '--workers', '1', '--json', '--out', single]);
    expect(res.code, res.stderr).toBe(0);
    expect(lastJsonLine(res.stdout)).toMatchObject({ status: 'completed', workers: 1 });
    expect(res.stderr).not.toContain('stages,');
  });

  it('Ctrl-C checkpoints a consistent cut, and --resume ends with every weight and moment bit-identical to --workers 1', async () => {
    const proc = startCli(['train', ...RUN, '--workers', '2', '--json', '--out', piped]);
    await waitForStderr(proc, /epoch 1\/2 \d+\/80 /, 60_000);
    proc.child.kill('SIGINT');
    const stopped = await proc.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/workers: 2 stages, [\w-]+( \+ [\w-]+)* \| [\w-]+( \+ [\w-]+)* \(measured ms per step: /);
    const cut = manifest(piped).progress;
    expect(cut.step).toBeGreaterThan(0);
    expect(cut.step).toBeLessThan(160);
    expect(cut.step).toBe(cut.batch + 80 * cut.epochsDone);

    const resumed = await runCli(['train', '--resume', piped, '--workers', '2', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = lastJsonLine(resumed.stdout);
    expect(summary).toMatchObject({ status: 'completed', workers: 2 });
    expect(summary.stages as string[][]).toHaveLength(2);
    expect((summary.stageBusySeconds as number[]).every((s) => s > 0)).toBe(true);
    expect(resumed.stderr).toMatch(/workers: stages busy [\d.]+ s, [\d.]+ s of [\d.]+ s training/);
    expect(checkpointBytes(piped).equals(checkpointBytes(single))).toBe(true);
    const a = JSON.parse(readFileSync(path.join(single, 'summary.json'), 'utf8')) as { testAccuracy: number };
    expect(summary.testAccuracy).toBe(a.testAccuracy);
  });

  it('a stage that fails ends the run with one message naming the stage, and the last checkpoint stays intact', async () => {
    const out = path.join(tmp.dir, 'failing');
    const proc = startCli(
      ['train', ...RUN, '--plugin', FAILING_PLUGIN, '--cells', 'ae,ae,fails-late', '--workers', '2', '--json', '--out', out],
      undefined,
      { LOCALBP_TEST_FAIL_STEP: '100' },
    );
    const res = await proc.done;
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/^localbp: error: pipeline stage [12] of 2 \(.*cell-3.*\) failed: fails-late cell: deliberate failure at step 100$/m);
    expect(res.stderr).not.toMatch(STACK_LINE);
    expect(res.stderr).toContain(`the last checkpoint is intact: continue with localbp train --resume ${out}`);
    // The checkpoint written after epoch 1 (80 steps) is the one on disk, and it loads.
    expect(manifest(out).progress).toMatchObject({ step: 80, epochsDone: 1 });
    const evaluated = await runCli(['eval', out]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
  });
});

// CI installs OpenBLAS, so the addon is built there; elsewhere the native case needs it built.
const NATIVE_BUILT = existsSync(fileURLToPath(new URL('../../../packages/native/build/Release/localbp_native.node', import.meta.url)));

describe.skipIf(!NATIVE_BUILT && !process.env.CI)('localbp train --workers on the native engine', () => {
  // The main job's widths: OpenBLAS products, the fused AdamW and Sum kernels in every stage.
  const NATIVE_RUN = ['--train-limit', '1280', '--test-limit', '100', '--cells', 'ae,ae,ae', '--epochs', '1', '--backend', 'native', '--no-store'];

  it('trains the weights bit-identical to --workers 1', async () => {
    const alone = path.join(tmp.dir, 'native-single');
    const staged = path.join(tmp.dir, 'native-piped');
    const single = await runCli(['train', ...NATIVE_RUN, '--workers', '1', '--json', '--out', alone]);
    expect(single.code, single.stderr).toBe(0);
    const piped = await runCli(['train', ...NATIVE_RUN, '--workers', '2', '--json', '--out', staged]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(lastJsonLine(piped.stdout)).toMatchObject({ backend: 'native', workers: 2 });
    expect(checkpointBytes(staged).equals(checkpointBytes(alone))).toBe(true);
  });
});
