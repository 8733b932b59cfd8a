import { CLAIM_THRESHOLDS, type ClaimVerdict } from './paper-claims';
import type { PaperCell, PaperSection } from './paper-cells';
import type { PaperPreset } from './paper-preset';
import type { AccuracyRow, PaperFederateRun, PaperResults, PaperTrainRun } from './paper-results';
import { MEMORY_METHOD, OUR_DEFAULTS } from './our-defaults';
import { machineLines, type ReportEnvironment } from './recorded-environment';
import { reportPreamble } from './report-preamble';
import type { Spread } from './summary-statistics';

/** What the paper report is rendered from: nothing but the preset and what its runs recorded. */
export interface PaperReportInput {
  preset: PaperPreset;
  environment: ReportEnvironment;
  results: PaperResults;
  claims: ClaimVerdict[];
  /** Figure file names (relative to the report) by key: `accuracy-<dataset>`, `final-<dataset>`, `memory-depth`, `federated`. */
  figures: Record<string, string>;
  /** How many runs each section plans. */
  planned: Record<PaperSection, number>;
  missing: Array<{ cell: PaperCell; reason: string }>;
  trainRuns: PaperTrainRun[];
  federateRuns: PaperFederateRun[];
  notes: string[];
}

const pct = (s: Spread | null) => (s ? `${(s.mean * 100).toFixed(2)} ± ${(s.std * 100).toFixed(2)}` : '—');
const pct1 = (x: number | null) => (x === null ? '—' : (x * 100).toFixed(2));
const signed = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`);
const mib = (x: number) => (x / 2 ** 20).toFixed(1);
const secs = (s: Spread | null) => (s ? `${s.mean.toFixed(1)}${s.n > 1 ? ` ± ${s.std.toFixed(1)}` : ''}` : '—');

function accuracyRow(r: AccuracyRow): string {
  const engine = `${r.engines.join(', ')}${r.workers.length ? ` ×${r.workers.join('/')}` : ''}`;
  return (
    `| ${r.model} | ${r.seeds.length} | ${pct(r.finalAccuracy)} | ${pct(r.bestAccuracy)} (${r.bestEpoch ?? '—'}) | ${secs(r.secondsPerEpoch)} | ` +
    `${r.peakTensorBytes ? mib(r.peakTensorBytes.mean) : '—'} | ${r.peakRssBytes ? mib(r.peakRssBytes.mean) : '—'} | ${engine} | ` +
    `${pct1(r.published?.accuracy ?? null)} | ${signed(r.gap)} |`
  );
}

/** A section's opening: what it holds, and the runs it still lacks. */
function status(section: PaperSection, input: PaperReportInput, what: string): string[] {
  const missing = input.missing.filter((m) => m.cell.section === section);
  const planned = input.planned[section];
  return [
    `${what} **${planned - missing.length} of ${planned} runs finished.**`,
    '',
    ...(missing.length ? ['<details><summary>Missing runs</summary>', '', ...missing.map((m) => `- ${m.cell.dir}: ${m.reason}`), '', '</details>', ''] : []),
  ];
}

/** The paper report as Markdown: deterministic in its inputs (no clock, no current machine). */
export function renderPaperReport(input: PaperReportInput): string {
  const { preset, environment: env, results } = input;
  const total = Object.values(input.planned).reduce((a, b) => a + b, 0);
  const lines: string[] = [
    `# The paper's comparison: LBP vs FF vs BP (preset \`${preset.id}\`)`,
    '',
    `Preset \`${preset.id}\`: ${preset.description}.`,
    input.missing.length ? `**Partial: ${total - input.missing.length} of ${total} runs finished**; each section lists what it lacks.` : `Complete: all ${total} runs finished.`,
    '',
    ...reportPreamble(env.command, input.notes),
    '## Setup',
    '',
    `- Engines: ${env.backends.length ? env.backends.join(', ') : 'n/a'} (per model below, with worker threads)`,
    ...machineLines(env),
    `- Versions: ${Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    '- Accuracy is test accuracy. "Final" = after the last epoch, "best" = best epoch of each run (in brackets: the epoch where ' +
      'the mean over seeds peaks); mean ± sample std over seeds. Seconds per epoch: runs that were not resumed mid-way.',
    '- Published: the best published figure we know for the model\'s family on that dataset (sources below); gap = ours − published, in points. ' +
      'Published figures come from other budgets (epochs, widths, data): the gap says how far this budget is from them, not who is better.',
    '',
    '## Claims',
    '',
    'Each verdict is computed from the tables below (`paper-claims.ts`); thresholds that are ours: the memory claim needs a saving of ' +
      `${(CLAIM_THRESHOLDS.memorySaving * 100).toFixed(0)}% at some depth; "combined" needs the cell-distributed run within ` +
      `${(CLAIM_THRESHOLDS.combinedGap * 100).toFixed(0)} points of its centralized twin.`,
    '',
  ];
  input.claims.forEach((c, i) => {
    const points = c.verdict === 'not tested' ? [...c.evidence, ...c.failing] : c.evidence;
    lines.push(`### Claim ${i + 1}: ${c.claim}`, '', `**Verdict: ${c.verdict}.**`, '', ...points.map((e) => `- ${e}`), '');
  });

  lines.push('## 1. Accuracy', '');
  lines.push(...status('accuracy', input, 'Every model on each dataset, seeds 1..N, test accuracy after every epoch.'));
  for (const { dataset, rows } of results.accuracy) {
    const grid = preset.accuracy.find((g) => g.dataset === dataset)!;
    lines.push(`### ${dataset}`, '', `${grid.models.length} models × ${grid.seeds} seeds × ${grid.epochs} epochs${grid.args.length ? `; flags \`${grid.args.join(' ')}\`` : ''}${Object.keys(grid.modelArgs).length ? `; ${Object.entries(grid.modelArgs).map(([m, a]) => `${m} adds \`${a.join(' ')}\``).join(', ')}` : ''}.`, '');
    if (!rows.length) {
      lines.push('No finished runs.', '');
      continue;
    }
    const examples = input.trainRuns.find((r) => r.cell.section === 'accuracy' && r.cell.dataset === dataset)!.summary;
    lines.push(`${examples.trainExamples} training / ${examples.testExamples} test examples.`, '');
    for (const key of [`accuracy-${dataset}`, `final-${dataset}`]) if (input.figures[key]) lines.push(`![${key}](${input.figures[key]})`, '');
    lines.push(
      '| model | seeds | final accuracy % | best accuracy % (epoch) | s / epoch | peak tensor MiB | peak RSS MiB | engine × workers | published % | gap (points) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map(accuracyRow),
      '',
    );
    const sources = [...new Set(rows.flatMap((r) => (r.published ? [`${pct1(r.published.accuracy)}%: ${r.published.source} (${rows.filter((x) => x.published?.source === r.published!.source).map((x) => x.model).join(', ')})`] : [])))];
    if (sources.length) lines.push('Published figures:', '', ...sources.map((s) => `- ${s}`), '');
  }

  const sep = results.separate;
  lines.push('## 2. Stability: separate schedule', '');
  lines.push(...status('separate', input, `${sep.dataset}: each model with \`--schedule separate\` (each cell or layer trained to completion alone, then the classifier; \`--epochs\` per phase) beside its simultaneous run of section 1, same seeds and flags.`));
  lines.push(
    '| model | seeds | simultaneous final % | separate final % | drop (points) |',
    '| --- | --- | --- | --- | --- |',
    ...sep.rows.map((r) => `| ${r.model} | ${r.separate?.n ?? 0} | ${pct(r.simultaneous)} | ${pct(r.separate)} | ${signed(r.drop)} |`),
    '',
  );

  const mem = results.memoryDepth;
  lines.push('## 3. Memory vs depth', '');
  lines.push(...status('memory-depth', input, `${mem.dataset}: peak memory of each LBP model and the BP model with the same encoders, at depths ${preset.memoryDepth.depths.join(', ')} (short runs: ${preset.memoryDepth.epochs} epoch, \`${preset.memoryDepth.args.join(' ')}\`).`));
  if (input.figures['memory-depth']) lines.push('![peak tensor memory vs depth](' + input.figures['memory-depth'] + ')', '');
  lines.push(
    '| LBP | BP | depth | LBP peak tensor MiB | BP peak tensor MiB | tensor saving % | LBP peak RSS MiB | BP peak RSS MiB | RSS saving % |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...mem.savings.map((s) => {
      const p = (m: string) => mem.points.find((x) => x.model === m && x.depth === s.depth)!;
      return `| ${s.lbp} | ${s.bp} | ${s.depth} | ${mib(p(s.lbp).peakTensorBytes)} | ${mib(p(s.bp).peakTensorBytes)} | ${pct1(s.tensorSaving)} | ${mib(p(s.lbp).peakRssBytes)} | ${mib(p(s.bp).peakRssBytes)} | ${pct1(s.rssSaving)} |`;
    }),
    '',
    '### How memory was measured',
    '',
    ...MEMORY_METHOD.map((m) => `- ${m}`),
    '- Saving = 1 − LBP peak / BP peak at the same depth.',
    '',
  );

  const fed = results.federated;
  const f = preset.federated;
  lines.push('## 4. Federated', '');
  lines.push(...status('federated', input, `${fed.dataset}: \`localbp federate simulate\`, ${f.clients} clients, ${f.rounds} rounds (cell-distributed: ${f.rounds} per cell and for the classifier), beside a centralized \`localbp train\` with the same budget: one epoch per round (${f.rounds} epochs; separate schedule for the cell-distributed twin), constant learning rate, no augmentation.`));
  if (input.figures.federated) lines.push(`![federated accuracy per round](${input.figures.federated})`, '');
  lines.push(
    '| model | setting | seeds | federated final % | accuracy per round % | centralized twin | centralized final % | gap (points) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...fed.rows.map(
      (r) =>
        `| ${r.model} | ${r.setting} | ${r.seeds.length} | ${pct(r.finalAccuracy)} | ${r.roundAccuracy.map(pct1).join(', ') || '—'} | ${r.centralizedSetting} | ${pct(r.centralized)} | ${signed(r.gap)} |`,
    ),
    '',
  );

  lines.push("## Defaults that are ours, not the papers'", '', ...OUR_DEFAULTS.map((d) => `- ${d}`), '');
  lines.push(
    '## Every run',
    '',
    '| run | engine | workers | test accuracy % per epoch or round | s per epoch | peak tensor MiB | peak RSS MiB |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...input.trainRuns.map(({ cell, summary: s, resumed }) =>
      `| ${cell.dir}${resumed ? ' (resumed)' : ''} | ${s.backend} | ${s.workers ?? '—'} | ${s.epochAccuracy.map(pct1).join(', ')} | ` +
        `${s.epochSeconds.map((x) => x.toFixed(1)).join(', ')} | ${mib(s.peakTensorBytes)} | ${mib(s.peakRssBytes)} |`,
    ),
    ...input.federateRuns.map(({ cell, summary: s }) => `| ${cell.dir} | ${s.backend} | — | ${s.roundAccuracy.map(pct1).join(', ')} | — | — | — |`),
    '',
    'Each run directory holds the `experiment-cell.json` (its exact `localbp` arguments), `summary.json` and its log.',
    '',
  );
  return lines.join('\n');
}
