import type { ArtifactRecord } from '../api-types';
import type { ChartLine } from './chart-card';
import { ChartGrid } from './chart-grid';
import { chartControls } from './chart-controls';
import { lineOf } from './chart-lines';
import { clear, el } from './dom';
import type { RunData } from './run-data';
import { runPicker } from './run-picker';
import type { View, ViewContext } from './view';

const IMAGE_KINDS: Array<{ kind: ArtifactRecord['kind']; label: string }> = [
  { kind: 'reconstruction', label: 'input (top) and reconstruction (bottom)' },
  { kind: 'samples', label: 'generated samples' },
  { kind: 'ff-samples', label: 'positive (top) and negative (bottom) samples' },
];

/** The latest dead-unit reading of a cell: share of dead units and of zero ReLU outputs, with its step. */
interface DeadUnitsReading {
  dead: number;
  zeros: number | null;
  step: number;
}

function deadUnitsOf(data: RunData, cell: string): DeadUnitsReading | null {
  const dead = data.series.get(`latent/dead/${cell}`);
  const last = dead ? dead.value.length - 1 : -1;
  if (!dead || last < 0 || dead.value[last] === null) return null;
  const zeros = data.series.get(`latent/zeros/${cell}`);
  return { dead: dead.value[last]!, zeros: zeros?.value.at(-1) ?? null, step: dead.step[last]! };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** One line per cell panel; cells without a ReLU latent record no dead units and get a note instead. */
function deadUnitsLine(reading: DeadUnitsReading | null): HTMLElement {
  if (!reading) return el('p', { className: 'dead-units muted' }, 'Dead units: not measured (no ReLU latent).');
  const zeros = reading.zeros === null ? '' : `; ReLU outputs zero before normalization: ${percent(reading.zeros)}`;
  return el(
    'p',
    { className: `dead-units${reading.dead > 0 ? ' has-dead' : ''}`, 'data-dead': reading.dead, 'data-step': reading.step },
    `Dead units (silent on the whole probe batch): ${percent(reading.dead)}${zeros} · step ${reading.step}`,
  );
}

/** What only a layer-local method has: every cell's own loss, latent statistics, images and FF goodness. */
export class CellsView implements View {
  readonly element: HTMLElement;
  private readonly header = el('div', { className: 'toolbar' });
  private readonly grid = new ChartGrid();
  private readonly panels = el('div', { className: 'cell-panels', id: 'cell-panels' });
  private shownImages = '';

  constructor(private readonly ctx: ViewContext) {
    this.element = el('section', { className: 'view cells-view' }, this.header, chartControls(ctx, () => this.update()), this.grid.element, this.panels);
    this.update();
  }

  update(): void {
    const runId = this.ctx.selected()[0] ?? this.ctx.state.runs[0]?.id;
    clear(this.header);
    this.header.append(runPicker(this.ctx, runId));
    if (!runId) {
      this.header.append(el('span', { className: 'muted' }, 'No runs yet.'));
      return;
    }
    void this.ctx.state.load(runId);
    const data = this.ctx.state.data.get(runId);
    if (!data) return;
    const cells = data.cells();
    const { xAxis, smoothing, logY } = this.ctx.settings;
    const perCell = (title: string, id: string, keyOf: (cell: string) => string[]): { id: string; title: string; lines: ChartLine[] } => ({
      id,
      title,
      lines: cells.flatMap((cell, i) => {
        const key = keyOf(cell).find((k) => data.series.has(k));
        return key ? [lineOf(data, data.series.get(key)!, xAxis, cell, i)] : [];
      }),
    });
    const charts = [
      perCell('Local loss of every cell', 'cells-loss', (c) => [`loss/${c}`, `epoch/loss/${c}`]),
      perCell('Latent mean', 'cells-latent-mean', (c) => [`latent/mean/${c}`]),
      perCell('Latent standard deviation', 'cells-latent-std', (c) => [`latent/std/${c}`]),
      // Measured on the ReLU output before the layer norm (after it no value is exactly zero).
      perCell('Dead units: share silent on the whole probe batch', 'cells-dead-units', (c) => [`latent/dead/${c}`]),
      perCell('ReLU zeros before normalization: mean share', 'cells-relu-zeros', (c) => [`latent/zeros/${c}`]),
      ...cells.flatMap((cell) => {
        const pos = data.series.get(`goodness/pos/${cell}`);
        const neg = data.series.get(`goodness/neg/${cell}`);
        if (!pos || !neg) return [];
        return [{ id: `goodness-${cell}`, title: `Goodness of ${cell}: positive vs negative`, lines: [lineOf(data, pos, xAxis, 'positive', 2), lineOf(data, neg, xAxis, 'negative', 3)] }];
      }),
    ].filter((c) => c.lines.length > 0);
    this.grid.render(charts, xAxis, smoothing, logY);
    this.renderImages(data, cells);
  }

  /** Latest image of each kind per cell; redrawn only when a new one arrives. */
  private renderImages(data: RunData, cells: string[]): void {
    const latest = new Map<string, ArtifactRecord>();
    const first = new Map<string, ArtifactRecord>();
    for (const a of data.artifacts) {
      if (!a.cell || !a.mime.startsWith('image/')) continue;
      latest.set(`${a.cell}/${a.kind}`, a);
      if (!first.has(`${a.cell}/${a.kind}`)) first.set(`${a.cell}/${a.kind}`, a);
    }
    const dead = new Map(cells.map((cell) => [cell, deadUnitsOf(data, cell)]));
    const signature = `${data.runId}:${[...latest.values()].map((a) => a.id).join(',')}:${cells.join(',')}:${JSON.stringify([...dead])}`;
    if (signature === this.shownImages) return;
    this.shownImages = signature;
    clear(this.panels);
    for (const cell of cells) {
      const images = IMAGE_KINDS.flatMap(({ kind, label }) => {
        const a = latest.get(`${cell}/${kind}`);
        if (!a) return [];
        // The untrained model's images (step 0) beside the latest: what training changed.
        const before = first.get(`${cell}/${kind}`);
        const shown = before && before.step === 0 && before.id !== a.id ? [before, a] : [a];
        return shown.map((x) =>
          el(
            'figure',
            { className: `artifact artifact-${kind}`, 'data-kind': kind, 'data-step': x.step },
            el('img', { src: `/api/artifacts/${x.id}`, alt: `${cell} ${kind}, step ${x.step}` }),
            el('figcaption', {}, `${label} · ${x.step === 0 ? 'before training' : `epoch ${x.epoch + 1}, step ${x.step}`}`),
          ),
        );
      });
      this.panels.appendChild(
        el(
          'section',
          { className: 'card cell-panel', 'data-cell': cell },
          el('h3', {}, cell),
          deadUnitsLine(dead.get(cell) ?? null),
          ...(images.length ? images : [el('p', { className: 'muted' }, 'No images recorded for this cell.')]),
        ),
      );
    }
  }

  destroy(): void {
    this.grid.destroy();
  }
}
