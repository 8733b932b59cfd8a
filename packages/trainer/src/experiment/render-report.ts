import type { ExperimentResults, ModelResult } from './aggregate-results';
import { experimentModel } from './experiment-models';
import type { ExperimentPlan, GridCell } from './experiment-plan';
import { MEMORY_METHOD, OUR_DEFAULTS } from './our-defaults';
import { machineLines, type ReportEnvironment } from './recorded-environment';
import { reportPreamble } from './report-preamble';
import type { Spread } from './summary-statistics';

/** What the experiment report is rendered from. */
export interface ReportInput {
  plan: ExperimentPlan;
  environment: ReportEnvironment;
  results: ExperimentResults;
  /** Dataset → figure file name, relative to the report. */
  figures: Record<string, string>;
  /** Cells without a complete summary, with the reason. */
  missing: Array<{ cell: GridCell; reason: string }>;
  /** Dataset/model → the config its first finished seed recorded. */
  configs: Array<{ dataset: string; model: string; config: unknown; trainExamples: number; testExamples: number }>;
  /** Every finished run, for the per-run table. */
  runs?: Array<{ cell: GridCell; summary: { testAccuracy: number | null; epochAccuracy: Array<number | null>; epochSeconds: number[]; peakTensorBytes: number; peakRssBytes: number }; resumed: boolean }>;
  /** Free-text remarks from the command line (`--note`), e.g. about the data's provenance. */
  notes?: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const pct = (s: Spread | null) => (s ? `${(s.mean * 100).toFixed(2)} ± ${(s.std * 100).toFixed(2)}` : '—');
const mib = (s: Spread | null) => (s ? (s.mean / 2 ** 20).toFixed(1) : '—');
const secs = (s: Spread | null) => (s ? `${s.mean.toFixed(1)}${s.n > 1 ? ` ± ${s.std.toFixed(1)}` : ''}` : '—');

function resultRow(r: ModelResult): string {
  return `| ${r.model} | ${r.seeds.length} | ${pct(r.finalAccuracy)} | ${pct(r.bestAccuracy)} | ${secs(r.secondsPerEpoch)} | ${mib(r.peakTensorBytes)} | ${mib(r.peakRssBytes)} | ${r.parameters?.toLocaleString('en-US') ?? '—'} |`;
}

/** The reproduction report as Markdown. */
export function renderReport(input: ReportInput): string {
  const { plan, environment: env, results } = input;
  const total = plan.datasets.length * plan.models.length * plan.seeds;
  const done = total - input.missing.length;
  const lines: string[] = [
    `# Reproduction report: ${plan.models.join(', ')} on ${plan.datasets.join(', ')}`,
    '',
    done === total
      ? `Complete: all ${total} runs of the grid (${plural(plan.datasets.length, 'dataset')} × ${plural(plan.models.length, 'model')} × ${plural(plan.seeds, 'seed')}) finished.`
      : `**Partial: ${done} of ${total} runs finished**; the missing ones are listed at the end.`,
    '',
    ...reportPreamble(env.command, input.notes ?? []),
    '## Setup',
    '',
    `- Backend: ${env.backends.length ? env.backends.join(', ') : 'n/a'}`,
    ...machineLines(env),
    `- Versions: ${Object.entries(env.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `- Grid: datasets ${plan.datasets.join(', ')}; models ${plan.models.join(', ')}; seeds 1–${plan.seeds}; ${plan.epochs} epoch${plan.epochs > 1 ? 's' : ''} each` +
      `${plan.batchSize ? `; batch ${plan.batchSize}` : ''}${plan.width ? `; width ${plan.width}` : ''}` +
      `${plan.trainLimit ? `; first ${plan.trainLimit} training examples` : ''}${plan.testLimit ? `; first ${plan.testLimit} test examples` : ''}.`,
    '- Accuracy is test accuracy after each epoch. "Final" = after the last epoch, "best" = best epoch of each run; ' +
      'both mean ± sample std over seeds. Seconds per epoch: mean over the runs that were not resumed mid-way.',
    '',
  ];
  for (const dataset of plan.datasets) {
    const rows = results.models.filter((r) => r.dataset === dataset);
    lines.push(`## ${dataset}`, '');
    if (!rows.length) {
      lines.push('No finished runs.', '');
      continue;
    }
    const examples = input.configs.find((c) => c.dataset === dataset);
    if (examples) lines.push(`${examples.trainExamples} training / ${examples.testExamples} test examples.`, '');
    if (input.figures[dataset]) lines.push(`![${dataset} test accuracy per epoch](${input.figures[dataset]})`, '');
    lines.push(
      '| model | seeds | final accuracy % | best accuracy % | s / epoch | peak tensor MiB | peak RSS MiB | parameters |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map(resultRow),
      '',
    );
  }
  lines.push('## Memory: LBP vs BP with the same encoder stack', '');
  if (results.memoryRatios.length) {
    lines.push(
      '| dataset | LBP | BP | peak tensor bytes LBP/BP | peak RSS LBP/BP |',
      '| --- | --- | --- | --- | --- |',
      ...results.memoryRatios.map(
        (m) => `| ${m.dataset} | ${m.lbp} | ${m.bp} | ${m.tensorBytesRatio.toFixed(3)} | ${m.rssBytesRatio.toFixed(3)} |`,
      ),
      '',
    );
  } else {
    lines.push('No pair (lbp-cae with bp-cnn, lbp-ae with bp-mlp) finished on the same dataset.', '');
  }
  lines.push('### How memory was measured', '', ...MEMORY_METHOD.map((m) => `- ${m}`), '');
  lines.push('## Defaults that are ours, not the papers\'', '', ...OUR_DEFAULTS.map((d) => `- ${d}`), '');
  lines.push('## Models', '', '| id | model | `localbp train` flags |', '| --- | --- | --- |');
  for (const id of plan.models) {
    const m = experimentModel(id);
    if (m) lines.push(`| ${m.id} | ${m.label} | \`${m.trainArgs.join(' ')}\` |`);
  }
  lines.push('', 'Every run: `localbp train --dataset D <flags> --seed S --epochs N … --out <dataset>/<model>/seed-S --json`; ' +
    'its `summary.json` (all figures above come from these) and `train.log` sit in that directory.', '');
  if (input.configs.length) {
    lines.push('## Recorded configurations', '', 'As recorded by the first finished seed of each model (`summary.json` → `config`).', '');
    for (const c of input.configs) {
      lines.push(`<details><summary>${c.dataset} / ${c.model}</summary>`, '', '```json', JSON.stringify(c.config, null, 2), '```', '', '</details>', '');
    }
  }
  if (input.runs?.length) {
    lines.push(
      '## Every run',
      '',
      '| run | test accuracy % per epoch | s per epoch | peak tensor MiB | peak RSS MiB |',
      '| --- | --- | --- | --- | --- |',
      ...input.runs.map(({ cell, summary: s, resumed }) =>
        `| ${cell.dir}${resumed ? ' (resumed)' : ''} | ${s.epochAccuracy.map((a) => (a === null ? '—' : (a * 100).toFixed(2))).join(', ')} | ` +
          `${s.epochSeconds.map((x) => x.toFixed(1)).join(', ')} | ${(s.peakTensorBytes / 2 ** 20).toFixed(1)} | ${(s.peakRssBytes / 2 ** 20).toFixed(1)} |`,
      ),
      '',
    );
  }
  if (input.missing.length) {
    lines.push('## Missing runs', '', ...input.missing.map((m) => `- ${m.cell.dir}: ${m.reason}`), '');
  }
  return `${lines.join('\n')}`;
}
