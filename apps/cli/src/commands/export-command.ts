import { Command, Option } from '@commander-js/extra-typings';
import { BACKEND_CHOICES, tf } from '@localbp/core';
import { splitToTensors, subset } from '@localbp/datasets';
import { ModelConfigError } from '@localbp/trainer';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { openTrainedRun } from '../trained-run';

const VERIFY_EXAMPLES = 512;

/**
 * `localbp export runs/NAME --format tfjs --out DIR`: the trained encoders and classifier as one standard
 * TensorFlow.js LayersModel (model.json + weights.bin) of built-in layers, checked against the run's own
 * predictions before it is reported.
 */
export function exportCommand(): Command<[string], Record<string, unknown>> {
  return new Command('export')
    .description('write a trained run as a standard TensorFlow.js LayersModel (loads with tf.loadLayersModel)')
    .argument('<run>', 'run directory written by localbp train --out')
    .addOption(new Option('--format <format>', 'output format').choices(['tfjs'] as const).default('tfjs'))
    .requiredOption('--out <dir>', 'directory for model.json and weights.bin')
    .addOption(new Option('--backend <name>', 'compute engine (default: the one the run chose)').choices(BACKEND_CHOICES))
    .option('--json', 'print one JSON result as the last line of stdout', false)
    .action(async (dir, opts) => {
      const run = await openTrainedRun(dir, opts.backend ? { backend: opts.backend } : {});
      let built: tf.LayersModel | null = null;
      try {
        if (!run.model.toLayersModel) throw new ModelConfigError(`model family "${run.model.kind}" has no layers export (no toLayersModel())`);
        const exported = run.model.toLayersModel();
        built = exported;
        exported.setUserDefinedMetadata({
          localbp: {
            run: path.resolve(dir),
            dataset: run.dataset,
            classNames: [...run.classNames],
            input: `float32 [batch, ${run.model.data.imageShape.join(', ')}]: pixel values / 255`,
            output: `float32 [batch, ${run.model.data.numClasses}]: class logits (argmax = predicted class)`,
          },
        });
        // Checked before writing: a model that disagrees with the run must not leave the project.
        const test = run.testSplit(0);
        const { xs } = splitToTensors(subset(test, Math.min(VERIFY_EXAMPLES, test.count)), { flatten: false });
        const [sameClass, maxDifference] = tf.tidy(() => {
          const ours = run.model.predictLogits(xs);
          const theirs = exported.predict(xs) as tf.Tensor2D;
          return [
            tf.sum(tf.cast(tf.equal(tf.argMax(ours, 1), tf.argMax(theirs, 1)), 'int32')).dataSync()[0]!,
            tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]!,
          ];
        });
        const checked = xs.shape[0]!;
        xs.dispose();
        if (sameClass !== checked) {
          throw new ModelConfigError(`the exported model disagrees with the run on ${checked - sameClass} of ${checked} test images; nothing was written`);
        }
        await fs.mkdir(opts.out, { recursive: true });
        await exported.save(`file://${path.resolve(opts.out)}`);
        const files = (await fs.readdir(opts.out)).sort();
        const result = {
          run: dir,
          out: opts.out,
          format: opts.format,
          files,
          layers: exported.layers.length,
          parameters: exported.countParams(),
          verifiedExamples: checked,
          maxLogitDifference: maxDifference,
        };
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(result)}\n`
            : `exported ${dir} to ${opts.out} (${files.join(', ')}): ${result.layers} layers, ${result.parameters} parameters; ` +
                `same class as the run on ${checked} test images (max |logit difference| ${maxDifference.toExponential(1)})\n`,
        );
      } finally {
        built?.dispose();
        run.model.dispose();
        tf.disposeVariables();
      }
    }) as unknown as Command<[string], Record<string, unknown>>;
}
