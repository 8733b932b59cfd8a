import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, STACK_LINE, tempDir, type CliResult } from './cli-test-helpers';

const tmp = tempDir('usage');
afterAll(tmp.cleanup);

/** Valid, tiny settings: a test that expects an error must fail on the one bad flag, not on the data size. */
const TINY = ['--train-limit', '64', '--test-limit', '32', '--width', '8', '--batch-size', '32'];

function expectUsageError(res: CliResult, ...mentions: string[]): void {
  expect(res.code, res.stderr).toBe(2);
  expect(res.stdout).toBe('');
  expect(res.stderr).toMatch(/^localbp: error: /);
  expect(res.stderr).not.toMatch(STACK_LINE);
  for (const m of mentions) expect(res.stderr).toContain(m);
}

/** Whether tfjs-node can be found where @localbp/core loads it from. */
function tfjsNodeInstalled(): boolean {
  const coreRequire = createRequire(new URL('../../../packages/core/package.json', import.meta.url));
  try {
    coreRequire.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('localbp usage errors exit 2 and say what is valid', () => {
  it('rejects an unknown cell, listing the registered cells', async () => {
    expectUsageError(await runCli(['train', '--cells', 'xyz', ...TINY]), '"xyz"', 'ae', 'dae');
  });

  it('rejects a cell list with an empty entry', async () => {
    expectUsageError(await runCli(['train', '--cells', 'ae,,ae', ...TINY]), '--cells', 'ae, dae');
  });

  it('rejects an unknown objective, listing the registered ones', async () => {
    expectUsageError(await runCli(['train', '--objective', 'foo', ...TINY]), '"foo"', 'mse', 'denoising');
  });

  it('rejects --epochs -1 and --epochs 0', async () => {
    expectUsageError(await runCli(['train', '--epochs', '-1', ...TINY]), '--epochs', '"-1"');
    expectUsageError(await runCli(['train', '--epochs', '0', ...TINY]), '--epochs', '"0"');
  });

  it('rejects a non-numeric --width and a fractional --batch-size', async () => {
    expectUsageError(await runCli(['train', ...TINY, '--width', 'abc']), '--width', '"abc"');
    expectUsageError(await runCli(['train', ...TINY, '--batch-size', '1.5']), '--batch-size', '"1.5"');
  });

  it('rejects a bad --lr-schedule and a --head-dropout of 1, saying what is valid', async () => {
    expectUsageError(await runCli(['train', ...TINY, '--lr-schedule', 'step']), '--lr-schedule "step"', 'cosine:FINAL');
    expectUsageError(await runCli(['train', ...TINY, '--lr-schedule', 'cosine:2']), '--lr-schedule "cosine:2"');
    expectUsageError(await runCli(['train', ...TINY, '--head-dropout', '1']), '--head-dropout', 'below 1');
  });

  it('rejects an unknown flag', async () => {
    expectUsageError(await runCli(['train', '--bogus-flag', ...TINY]), "unknown option '--bogus-flag'");
  });

  it('rejects an unknown command', async () => {
    expectUsageError(await runCli(['bogus']), "unknown command 'bogus'");
  });

  it('rejects --schedule bogus, listing the schedules', async () => {
    expectUsageError(await runCli(['train', '--schedule', 'bogus', ...TINY]), "'bogus'", 'simultaneous', 'separate');
  });

  it('rejects --dataset and --backend values outside their choices', async () => {
    expectUsageError(await runCli(['train', '--dataset', 'cifar', ...TINY]), 'mnist', 'fashion-mnist');
    expectUsageError(await runCli(['train', '--backend', 'webgl', ...TINY]), 'auto', 'tensorflow', 'native', 'wasm', 'cpu');
  });

  it('prints the help on stderr and exits 2 when no command is given', async () => {
    const res = await runCli([]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Usage: localbp');
    expect(res.stderr).toContain('train');
  });
});

describe('localbp help and version', () => {
  it('--help exits 0 and lists the commands', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: localbp');
    expect(res.stdout).toContain('train');
  });

  it('train --help exits 0 and lists every flag of the contract', async () => {
    const res = await runCli(['train', '--help']);
    expect(res.code).toBe(0);
    const flags = ['--dataset', '--data-dir', '--model', '--cells', '--width', '--epochs', '--batch-size', '--schedule'];
    flags.push('--train-limit', '--test-limit', '--seed', '--backend', '--out', '--resume', '--json');
    for (const flag of flags) expect(res.stdout).toContain(flag);
    expect(res.stdout).toMatch(/"simultaneous",\s+"separate"/);
  });

  it('--version prints the package version', async () => {
    const res = await runCli(['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('localbp user errors exit 1 with one line and no stack', () => {
  it('--backend tensorflow without tfjs-node names the reason in one line', async () => {
    const out = path.join(tmp.dir, 'tensorflow');
    const res = await runCli(['train', '--backend', 'tensorflow', ...TINY, '--json', '--out', out]);
    if (tfjsNodeInstalled() && res.code === 0) {
      // A machine with a working tfjs-node: the explicit choice must be honoured.
      expect(lastJsonLine(res.stdout).backend).toBe('tensorflow');
      return;
    }
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^localbp: error: Backend "tensorflow" is unavailable: \S/);
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it('--resume of a directory without a checkpoint is a clear error', async () => {
    const missing = path.join(tmp.dir, 'no-such-run');
    const res = await runCli(['train', '--resume', missing]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(missing);
    expect(res.stderr).toContain('checkpoint');
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it('an --out that cannot be created fails before training, without a stack', async () => {
    // A regular file where a directory is needed.
    const blocker = path.join(tmp.dir, 'file.txt');
    writeFileSync(blocker, 'not a directory');
    const res = await runCli(['train', ...TINY, '--out', path.join(blocker, 'run')]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/^localbp: error: ENOTDIR/m);
    expect(res.stderr).not.toMatch(STACK_LINE);
    expect(res.stderr).not.toMatch(/phase 1/);
  });
});
