import { describe, expect, it, afterAll } from 'vitest';
import { lastJsonLine, runCli, STACK_LINE, tempDir } from './cli-test-helpers';

const tmp = tempDir('ff');
afterAll(tmp.cleanup);

const TINY = ['--train-limit', '256', '--test-limit', '100', '--epochs', '1', '--batch-size', '64', '--backend', 'wasm'];

describe('localbp train --model ff', () => {
  it('trains Forward-Forward on real MNIST and reports both inference modes and per-layer goodness', async () => {
    const out = `${tmp.dir}/ff`;
    const res = await runCli(['train', '--dataset', 'mnist', '--model', 'ff', '--width', '32', '--layers', '3', ...TINY, '--json', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    expect(summary).toMatchObject({ model: 'ff', status: 'completed', trainExamples: 256 });
    expect(summary.testAccuracy).toBeTypeOf('number');
    const goodness = (summary.inferenceAccuracy as Record<string, number[]>).goodness;
    expect(goodness).toHaveLength(1);
    expect(goodness![0]).toBeGreaterThanOrEqual(0);
    const cells = summary.cells as Array<{ id: string; type: string; objective: string; width: number; loss: number }>;
    expect(cells.map((c) => [c.id, c.type, c.objective, c.width])).toEqual([
      ['layer-1', 'ff-dense', 'ff', 32],
      ['layer-2', 'ff-dense', 'ff', 32],
      ['layer-3', 'ff-dense', 'ff', 32],
    ]);
    for (const c of cells) expect(Number.isFinite(c.loss)).toBe(true);
    expect(res.stderr).toMatch(/layer-1 \d+\.\d+/);
    expect(res.stderr).toMatch(/test accuracy \d+\.\d+% \(goodness: \d+\.\d+%\)/);
  });

  it('trains CwComp on conv layers, classifying by channel-group goodness', async () => {
    const res = await runCli([
      'train', '--model', 'ff', '--objective', 'cwcomp', '--layers', '2', '--ff-channels', '10,20', '--ff-inference', 'goodness',
      ...TINY, '--json', '--out', `${tmp.dir}/cwcomp`,
    ]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    expect((summary.cells as Array<{ type: string }>).map((c) => c.type)).toEqual(['ff-conv', 'ff-conv']);
    expect(summary.testAccuracy).toBeTypeOf('number');
    expect((summary.inferenceAccuracy as Record<string, number[]>).linear).toHaveLength(1);
  });

  it('rejects objectives that are not goodness objectives and impossible inference, listing what works', async () => {
    const bad = await runCli(['train', '--model', 'ff', '--objective', 'mse', ...TINY]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--objective: "mse" is not a registered goodness objective; .*cwcomp, ff, hybrid, scff, symba/);
    expect(bad.stderr).not.toMatch(STACK_LINE);
    const inference = await runCli(['train', '--model', 'ff', '--objective', 'scff', '--ff-inference', 'goodness', ...TINY]);
    expect(inference.code).toBe(2);
    expect(inference.stderr).toContain('supports only linear');
    const channels = await runCli(['train', '--model', 'ff', '--objective', 'cwcomp', '--ff-channels', '10,15', ...TINY]);
    expect(channels.code).toBe(1);
    expect(channels.stderr).toContain('multiples of 10');
    expect(channels.stderr).not.toMatch(STACK_LINE);
  });
});
