import uPlot from 'uplot';
import { download, el } from './dom';
import { lttb, smooth } from './downsample';
import type { Series } from './run-data';

export type XAxis = 'step' | 'epoch' | 'wall';

/** One line on a chart: a metric of a run, already mapped to the chosen x axis. */
export interface ChartLine {
  label: string;
  color: string;
  x: number[];
  y: Array<number | null>;
  /** The stored points, for export. */
  raw: Series;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/** Points drawn per line at most: about two per horizontal pixel, enough that downsampling is invisible. */
function drawBudget(width: number): number {
  return Math.max(300, Math.round(width * 2));
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A scalar chart card (uPlot): lines of several runs overlaid, optional EMA smoothing (raw line kept
 * faint), LTTB downsampling for long series, CSV/JSON export of the stored points.
 */
export class ChartCard {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private plot: uPlot | null = null;
  private signature = '';
  private lines: ChartLine[] = [];

  constructor(
    readonly title: string,
    private readonly width = 520,
    private readonly height = 220,
    /** Overrides the x-axis name (e.g. `round`). */
    private readonly xLabel?: string,
  ) {
    this.body = el('div', { className: 'chart-body' });
    this.element = el(
      'section',
      { className: 'card chart', 'data-title': title },
      el(
        'header',
        {},
        el('h3', {}, title),
        el('span', { className: 'spacer' }),
        el('button', { type: 'button', className: 'export', 'data-format': 'csv', onclick: () => this.export('csv') }, 'CSV'),
        el('button', { type: 'button', className: 'export', 'data-format': 'json', onclick: () => this.export('json') }, 'JSON'),
      ),
      this.body,
    );
  }

  /** The stored points of every line, as rows. */
  rows(): Array<{ series: string; step: number; epoch: number; wallTime: number; value: number | null }> {
    return this.lines.flatMap((l) =>
      l.raw.step.map((step, i) => ({ series: l.label, step, epoch: l.raw.epoch[i]!, wallTime: l.raw.wallTime[i]!, value: l.raw.value[i]! })),
    );
  }

  export(format: 'csv' | 'json'): string {
    const rows = this.rows();
    const name = this.title.replace(/[^\w.-]+/g, '_');
    const text =
      format === 'json'
        ? JSON.stringify(rows, null, 1)
        : ['series,step,epoch,wallTime,value', ...rows.map((r) => [r.series, r.step, r.epoch, r.wallTime, r.value].map(csvCell).join(','))].join('\n');
    download(`${name}.${format}`, format === 'json' ? 'application/json' : 'text/csv', text);
    return text;
  }

  update(lines: ChartLine[], xAxis: XAxis, smoothing: number, logY = false): void {
    this.lines = lines;
    const started = performance.now();
    const budget = drawBudget(this.width);
    const tables: uPlot.AlignedData[] = [];
    const xName = this.xLabel ?? (xAxis === 'wall' ? 'wall time' : xAxis);
    const series: uPlot.Series[] = [{ label: xName }];
    for (const line of lines) {
      const xs = xAxis === 'wall' ? line.x.map((t) => t / 1000) : line.x;
      if (smoothing > 0) {
        const faint = lttb(xs, line.y, budget);
        tables.push([faint.x, faint.y]);
        series.push({ label: `${line.label} (raw)`, stroke: `${line.color}44`, width: 1, spanGaps: true, points: { show: false } });
      }
      const shown = lttb(xs, smooth(line.y, smoothing), budget);
      tables.push([shown.x, shown.y]);
      // Short series (accuracy per epoch) get markers: a one-point line would be invisible.
      series.push({ label: line.label, stroke: line.color, width: 1.5, spanGaps: true, points: { show: shown.x.length <= 50, size: 5, fill: line.color } });
    }
    const data: uPlot.AlignedData = tables.length === 0 ? [[]] : tables.length === 1 ? tables[0]! : uPlot.join(tables);
    // A log scale only where it is defined: every drawn value positive.
    const log = logY && tables.length > 0 && tables.every((t) => (t[1] as Array<number | null>).every((v) => v === null || v > 0));
    const signature = JSON.stringify([series.map((s) => [s.label, s.stroke]), xAxis, log]);
    if (this.plot && signature === this.signature) {
      this.plot.setData(data);
    } else {
      this.plot?.destroy();
      this.signature = signature;
      this.plot = new uPlot(
        {
          width: this.width,
          height: this.height,
          series,
          scales: { x: { time: xAxis === 'wall' }, y: log ? { distr: 3 } : {} },
          axes: [{ label: xName }, { size: 60 }],
          legend: { live: true },
          cursor: { drag: { x: true, y: false } },
        },
        data,
        this.body,
      );
    }
    const points = lines.reduce((n, l) => n + l.raw.step.length, 0);
    this.element.dataset.points = String(points);
    this.element.dataset.drawn = String(tables.reduce((n, t) => n + (t[0]?.length ?? 0), 0));
    this.element.dataset.series = JSON.stringify(lines.map((l) => l.label));
    this.element.dataset.lastStep = String(Math.max(-1, ...lines.map((l) => l.raw.step.at(-1) ?? -1)));
    this.element.dataset.xAxis = xAxis;
    this.element.dataset.logY = String(log);
    this.element.dataset.xMax = String(data[0]?.at(-1) ?? '');
    this.element.dataset.renderMs = (performance.now() - started).toFixed(1);
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
