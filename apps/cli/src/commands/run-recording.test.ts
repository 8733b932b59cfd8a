import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandLine, runName } from './run-recording';

describe('run names and command lines in the run store', () => {
  it('names a run by its --out path under runs/, else by its folder', () => {
    const cwd = path.resolve('/project');
    expect(runName('runs/x', cwd)).toBe('x');
    expect(runName('runs/exp/mnist/lbp-ae/seed-1', cwd)).toBe('exp/mnist/lbp-ae/seed-1');
    expect(runName('elsewhere/run', cwd)).toBe('elsewhere/run');
    expect(runName('/tmp/abs/run-7', cwd)).toBe('run-7');
  });

  it('quotes arguments a shell would split', () => {
    expect(commandLine(['train', '--out', 'runs/my run', '--width', '16'])).toBe("localbp train --out 'runs/my run' --width 16");
    expect(commandLine(["it's"])).toBe("localbp 'it'\\''s'");
  });
});
