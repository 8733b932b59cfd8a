import { ChartCard } from './chart-card';
import { chartControls } from './chart-controls';
import { lineOf, sortKeys } from './chart-lines';
import { diffConfigs } from './config-diff';
import { clear, el, formatNumber } from './dom';
import { runLabel, type View, type ViewContext } from './view';

/** Selected runs side by side: one metric overlaid, their configs diffed, final values tabulated. */
export class CompareView implements View {
  readonly element: HTMLElement;
  private readonly keySelect = el('select', { id: 'compare-key' });
  private readonly chart = new ChartCard('overlay', 760, 260);
  private readonly diff = el('div', { className: 'table-scroll', id: 'config-diff' });
  private readonly finals = el('div', { className: 'table-scroll', id: 'final-metrics' });
  private readonly note = el('p', { className: 'muted' });
  private readonly showAll: HTMLInputElement;
  private key = '';

  constructor(private readonly ctx: ViewContext) {
    this.keySelect.addEventListener('change', () => {
      this.key = this.keySelect.value;
      this.update();
    });
    this.showAll = el('input', { type: 'checkbox', id: 'diff-show-all', onchange: () => this.update() });
    const controls = chartControls(ctx, () => this.update());
    controls.prepend(el('label', {}, 'Metric ', this.keySelect));
    this.element = el(
      'section',
      { className: 'view compare-view' },
      this.note,
      controls,
      this.chart.element,
      el('div', { className: 'card' }, el('header', {}, el('h3', {}, 'Config diff'), el('span', { className: 'spacer' }), el('label', {}, this.showAll, ' show identical')), this.diff),
      el('div', { className: 'card' }, el('header', {}, el('h3', {}, 'Final metrics')), this.finals),
    );
    this.update();
  }

  update(): void {
    const ids = this.ctx.selected();
    for (const id of ids) void this.ctx.state.load(id);
    clear(this.note);
    this.note.append(ids.length < 2 ? 'Select two or more runs in the runs table (checkboxes) to compare them.' : `Comparing ${ids.length} runs.`);
    const loaded = ids.map((id) => this.ctx.state.data.get(id)).filter((d) => d !== undefined);
    const keys = sortKeys(new Set(loaded.flatMap((d) => [...d.series.keys()])));
    if (!keys.includes(this.key)) this.key = keys.includes('testAccuracy') ? 'testAccuracy' : (keys[0] ?? '');
    if (this.keySelect.options.length !== keys.length || [...this.keySelect.options].some((o, i) => o.value !== keys[i])) {
      clear(this.keySelect);
      for (const k of keys) this.keySelect.appendChild(el('option', { value: k }, k));
    }
    this.keySelect.value = this.key;
    const { xAxis, smoothing, logY } = this.ctx.settings;
    this.chart.element.querySelector('h3')!.textContent = this.key || 'overlay';
    this.chart.update(
      loaded.flatMap((d) => {
        const s = d.series.get(this.key);
        return s ? [lineOf(d, s, xAxis, runLabel(this.ctx, d.runId), ids.indexOf(d.runId))] : [];
      }),
      xAxis,
      smoothing,
      logY,
    );

    const runs = ids.map((id) => this.ctx.state.run(id)).filter((r) => r !== undefined);
    const labels = runs.map((r) => runLabel(this.ctx, r.id));
    const rows = diffConfigs(runs.map((r) => ({ config: r.config, backend: r.backend, command: r.command, versions: r.versions })));
    clear(this.diff);
    const shown = rows.filter((r) => r.differs || this.showAll.checked);
    this.diff.append(
      el(
        'table',
        { className: 'diff' },
        el('thead', {}, el('tr', {}, el('th', {}, 'setting'), ...labels.map((l) => el('th', {}, l)))),
        el(
          'tbody',
          {},
          ...shown.map((r) => el('tr', { className: r.differs ? 'differs' : '' }, el('td', { className: 'mono' }, r.path), ...r.values.map((v) => el('td', { className: 'mono' }, v ?? '—')))),
          shown.length === 0 ? el('tr', {}, el('td', { colspan: labels.length + 1, className: 'muted' }, 'The configs are identical.')) : null,
        ),
      ),
    );

    clear(this.finals);
    const lastOf = (runId: string, key: string): number | null => {
      const s = this.ctx.state.data.get(runId)?.series.get(key);
      return s ? (s.value.at(-1) ?? null) : null;
    };
    this.finals.append(
      el(
        'table',
        { className: 'finals' },
        el('thead', {}, el('tr', {}, el('th', {}, 'metric (last value)'), ...labels.map((l) => el('th', {}, l)))),
        el(
          'tbody',
          {},
          el('tr', {}, el('td', {}, 'best test accuracy'), ...runs.map((r) => el('td', { className: 'num' }, formatNumber(r.bestTestAccuracy)))),
          ...keys.map((k) => el('tr', { 'data-key': k }, el('td', { className: 'mono' }, k), ...runs.map((r) => el('td', { className: 'num' }, formatNumber(lastOf(r.id, k)))))),
        ),
      ),
    );
  }

  destroy(): void {
    this.chart.destroy();
  }
}
