import { Command, Option } from '@commander-js/extra-typings';
import { BACKEND_CHOICES, tf } from '@localbp/core';
import { evaluateAccuracy } from '@localbp/trainer';
import { nonNegativeInt } from '../option-values';
import { openTrainedRun } from '../trained-run';

/** `localbp eval runs/NAME`: test accuracy of a trained run, from its checkpoint. */
export function evalCommand(): Command<[string], Record<string, unknown>> {
  return new Command('eval')
    .description("score a trained run on its dataset's test split")
    .argument('<run>', 'run directory written by localbp train --out')
    .option('--test-limit <n>', "first N test examples (default: the run's own limit; 0 = the whole test split)")
    .addOption(new Option('--backend <name>', 'compute engine (default: the one the run chose)').choices(BACKEND_CHOICES))
    .option('--json', 'print one JSON result as the last line of stdout', false)
    .action(async (dir, opts) => {
      const run = await openTrainedRun(dir, opts.backend ? { backend: opts.backend } : {});
      try {
        const test = run.testSplit(opts.testLimit === undefined ? undefined : nonNegativeInt(opts.testLimit, '--test-limit'));
        const testAccuracy = evaluateAccuracy(run.model, test);
        const result = { run: dir, dataset: run.dataset, model: run.model.kind, backend: run.backend.name, testExamples: test.count, testAccuracy };
        process.stdout.write(
          opts.json ? `${JSON.stringify(result)}\n` : `test accuracy ${(testAccuracy * 100).toFixed(2)}% (${test.count} ${run.dataset} test examples, backend ${run.backend.name})\n`,
        );
      } finally {
        run.model.dispose();
        tf.disposeVariables();
      }
    }) as unknown as Command<[string], Record<string, unknown>>;
}
