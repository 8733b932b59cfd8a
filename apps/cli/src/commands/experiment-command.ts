import { Command } from '@commander-js/extra-typings';
import { runExperiment, runPaperExperiment } from '@localbp/trainer/experiment';
import { version } from '../../package.json';
import { UsageError } from '../cli-errors';
import { parseExperimentOptions, parsePresetOptions, PRESET_GRID_FLAGS } from '../experiment-options';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Quotes an argument only where a shell would need it, so the report's command can be pasted back. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function requireOut(out: string | undefined): string {
  if (out === undefined) throw new UsageError("required option '--out <dir>' not specified (or give --preset)");
  return out;
}

function noSections<T extends { sections?: string }>(opts: T): T {
  if (opts.sections !== undefined) throw new UsageError('--sections needs --preset (a plain grid has no sections)');
  return opts;
}

export function experimentCommand(): Command<[], Record<string, unknown>> {
  return new Command('experiment')
    .description('run the comparison grid (datasets × models × seeds), each run its own `localbp train`, and write a report')
    .option('--datasets <ids>', 'comma-separated dataset ids (with --preset: train only its runs on these now)', 'mnist')
    .option('--models <ids>', 'comma-separated model ids (with --preset: train only its runs of these now): lbp-ae, lbp-dae, lbp-cae, lbp-gan, bp-mlp, bp-cnn, ff, ff-symba, ff-hybrid, ff-scff, ff-cwcomp', 'lbp-ae,lbp-dae')
    .option('--seeds <n>', 'runs per model, seeds 1..n', '3')
    .option('--epochs <n>', 'epochs of every run', '1')
    .option('--batch-size <n>', 'mini-batch size of every run (default: train\'s)')
    .option('--width <n>', 'latent width of MLP cells (default: train\'s)')
    .option('--train-limit <n>', 'use only the first N training examples')
    .option('--test-limit <n>', 'use only the first N test examples')
    .option('--backend <name>', 'compute engine of every run: auto, tensorflow, native, wasm, cpu')
    .option('--data-dir <[dataset=]dir>', 'files of a dataset (repeatable; name the dataset when there are several)', collect, [] as string[])
    .option('--preset <name>', 'a whole plan instead of the grid flags: paper (the paper\'s comparison at full scale: accuracy, separate schedule, memory vs depth, federated) or quick (the same on tiny subsets)')
    .option('--sections <ids>', 'with --preset: train only these sections now, in this order (accuracy, separate, memory-depth, federated; default: all); the report covers every section')
    // --datasets and --models, given with --preset, likewise choose which of its runs train now.
    .option('--out <dir>', 'experiment directory: one sub-directory per run, report.md, results.json, figures (with --preset: default docs/results/<preset>)')
    .option('--note <text>', 'a remark for the report\'s Notes section (repeatable)', collect, [] as string[])
    .option('--report-only', 'train nothing: write the report from the runs that have finished', false)
    .action(async (opts, cmd) => {
      // Without --report-only: the report names the command that trains (and, rerun, regenerates) the grid.
      const command = ['localbp', ...process.argv.slice(2).filter((a) => a !== '--report-only')].map(shellWord).join(' ');
      const common = {
        cli: { node: process.execPath, script: process.argv[1]! },
        command,
        versions: { localbp: version },
        reportOnly: Boolean(opts.reportOnly),
        notes: opts.note,
      };
      const outcome = opts.preset
        ? await runPaperExperiment({
            ...parsePresetOptions(
              {
                ...opts,
                preset: opts.preset,
                datasets: cmd.getOptionValueSource('datasets') === 'cli' ? opts.datasets : undefined,
                models: cmd.getOptionValueSource('models') === 'cli' ? opts.models : undefined,
              },
              PRESET_GRID_FLAGS.filter((f) => cmd.getOptionValueSource(f) === 'cli'),
            ),
            ...common,
          })
        : await runExperiment({ plan: parseExperimentOptions(noSections(opts)), out: requireOut(opts.out), ...common });
      if (outcome.failed.length) {
        process.stderr.write(`localbp: error: ${outcome.failed.length} run(s) failed: ${outcome.failed.map((f) => `${f.cell.dir} (${f.reason})`).join('; ')}\n`);
      }
      process.exitCode = outcome.status === 'interrupted' ? 130 : outcome.status === 'failed' ? 1 : 0;
    }) as unknown as Command<[], Record<string, unknown>>;
}
