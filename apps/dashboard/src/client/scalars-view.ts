import { ChartGrid } from './chart-grid';
import { chartControls } from './chart-controls';
import { lineOf, sortKeys } from './chart-lines';
import { clear, el } from './dom';
import { runLabel, type View, type ViewContext } from './view';

/** Every scalar of the selected runs, one card per key, runs overlaid. */
export class ScalarsView implements View {
  readonly element: HTMLElement;
  private readonly grid = new ChartGrid();
  private readonly filter: HTMLInputElement;
  private readonly note = el('p', { className: 'muted' });

  constructor(private readonly ctx: ViewContext) {
    this.filter = el('input', { type: 'search', id: 'key-filter', placeholder: 'filter charts (e.g. loss, cell-2, accuracy)', oninput: () => this.update() });
    const controls = chartControls(ctx, () => this.update());
    controls.prepend(this.filter);
    this.element = el('section', { className: 'view scalars-view' }, controls, this.note, this.grid.element);
    this.update();
  }

  update(): void {
    const ids = this.ctx.selected();
    for (const id of ids) void this.ctx.state.load(id);
    const loaded = ids.map((id) => this.ctx.state.data.get(id)).filter((d) => d !== undefined);
    clear(this.note);
    this.note.append(ids.length === 0 ? 'Select one or more runs in the runs table.' : `Runs: ${ids.map((id) => runLabel(this.ctx, id)).join(', ')}`);
    const words = this.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const keys = sortKeys(new Set(loaded.flatMap((d) => [...d.series.keys()]))).filter((k) => words.every((w) => k.toLowerCase().includes(w)));
    const { xAxis, smoothing, logY } = this.ctx.settings;
    this.grid.render(
      keys.map((key) => ({
        id: key,
        title: key,
        lines: loaded.flatMap((d) => {
          const s = d.series.get(key);
          return s ? [lineOf(d, s, xAxis, runLabel(this.ctx, d.runId), ids.indexOf(d.runId))] : [];
        }),
      })),
      xAxis,
      smoothing,
      logY,
    );
  }

  destroy(): void {
    this.grid.destroy();
  }
}
