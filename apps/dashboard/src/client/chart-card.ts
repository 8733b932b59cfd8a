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
  /** Where the run's record ends on this axis (its last step): the x axis reaches it even when this metric stops earlier. */
  xEnd?: number;
}

/** The card's element, with its uPlot instance for tests and debugging in the browser console. */
export type ChartElement = HTMLElement & { uplot?: uPlot };

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
  readonly element: ChartElement;
  private readonly body: HTMLElement;
  private plot: uPlot | null = null;
  private signature = '';
  private lines: ChartLine[] = [];
  /** Fixed x range of the current data (null: uPlot's own), read by the scale's range function on every redraw. */
  private xRange: [number, number] | null = null;
  private readonly resize: ResizeObserver;

  constructor(
    readonly title: string,
    /** Width until the card is laid out; then the plot takes the card's whole width. */
    private width = 520,
    private readonly height = 220,
    /** Overrides the x-axis name (e.g. `round`). */
    private readonly xLabel?: string,
  ) {
    this.body = el('div', { className: 'chart-body' });
    // Cards share the row (CSS grid): the plot follows its card's width, window resizes included.
    this.resize = new ResizeObserver(() => this.fitWidth());
    this.resize.observe(this.body);
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

  private fitWidth(): void {
    const width = Math.floor(this.body.clientWidth);
    if (width <= 0 || width === this.width) return;
    this.width = width;
    this.plot?.setSize({ width, height: this.height });
  }

  /**
   * Steps and epochs: from 0 (or below) to where the runs' records end, so a metric logged once an epoch sits at the
   * step its epoch ended on a full-length axis (uPlot alone would pad a single point's range to about twice its x).
   */
  private rangeOf(lines: ChartLine[], xAxis: XAxis, data: uPlot.AlignedData): [number, number] | null {
    const xs = (data[0] ?? []) as number[];
    if (xAxis === 'wall' || xs.length === 0) return null;
    const end = Math.max(xs[xs.length - 1]!, ...lines.map((l) => l.xEnd ?? -Infinity));
    const start = Math.min(0, xs[0]!);
    return end > start ? [start, end] : null;
  }

  update(lines: ChartLine[], xAxis: XAxis, smoothing: number, logY = false): void {
    this.lines = lines;
    this.fitWidth();
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
    this.xRange = this.rangeOf(lines, xAxis, data);
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
          scales: {
            x: { time: xAxis === 'wall', range: (_u, min, max) => this.xRange ?? (min < max ? [min, max] : uPlot.rangeNum(min, max, 0.1, true)) },
            y: log ? { distr: 3 } : {},
          },
          axes: [{ label: xName }, { size: 60 }],
          legend: { live: true },
          cursor: { drag: { x: true, y: false } },
          hooks: {
            // The drawn scale, for tests: where the axis really ends.
            draw: [
              (u) => {
                this.element.dataset.xScaleMin = String(u.scales.x!.min);
                this.element.dataset.xScaleMax = String(u.scales.x!.max);
              },
            ],
          },
        },
        data,
        this.body,
      );
      this.element.uplot = this.plot;
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
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}
