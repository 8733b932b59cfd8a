import { describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from './cli-test-helpers';

const base = ['experiment', '--out', 'never-written', '--epochs', '1'];

describe('localbp experiment: bad arguments are usage errors (exit 2, one clear line)', () => {
  it.each([
    [['--models', 'lbp-ae,lbp-xyz'], /unknown model "lbp-xyz"; choose from: lbp-ae, lbp-dae, lbp-cae/],
    [['--seeds', '0'], /--seeds must be an integer ≥ 1, got "0"/],
    [['--datasets', 'mnist,imagenet'], /--datasets: unknown dataset "imagenet"; registered datasets: .*mnist/],
    [['--epochs', 'two'], /--epochs must be an integer ≥ 1, got "two"/],
    [['--models', 'lbp-ae,lbp-ae'], /--models lists "lbp-ae" twice/],
    [['--backend', 'gpu'], /--backend "gpu" is not valid/],
    [['--datasets', 'mnist,fashion-mnist', '--data-dir', '/data'], /with several datasets, name the dataset: --data-dir DATASET=DIR/],
    [['--data-dir', 'cifar10=/data'], /"cifar10" is not one of --datasets/],
  ])('%j', async (args, message) => {
    const res = await runCli([...base, ...args]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(/^localbp: error: /);
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it('requires --out', async () => {
    const res = await runCli(['experiment', '--models', 'lbp-ae']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("required option '--out <dir>' not specified");
  });
});
