import type { RunSummary } from '../api-types';
import { clear, el, formatDuration, formatPercent } from './dom';
import type { View, ViewContext } from './view';

type SortKey = 'name' | 'status' | 'model' | 'dataset' | 'backend' | 'startedAt' | 'durationMs' | 'bestTestAccuracy' | 'lastTestAccuracy';

const COLUMNS: Array<{ key: SortKey; label: string }> = [
  { key: 'name', label: 'Run' },
  { key: 'status', label: 'Status' },
  { key: 'model', label: 'Model' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'backend', label: 'Backend' },
  { key: 'startedAt', label: 'Started' },
  { key: 'durationMs', label: 'Duration' },
  { key: 'bestTestAccuracy', label: 'Best test acc.' },
  { key: 'lastTestAccuracy', label: 'Last test acc.' },
];

/** The runs table: filter, sort, select runs for the other views. */
export class RunsView implements View {
  readonly element: HTMLElement;
  private readonly tbody = el('tbody');
  private readonly filter: HTMLInputElement;
  private readonly count = el('span', { className: 'muted', id: 'run-count' });
  private sortKey: SortKey = 'startedAt';
  private descending = true;
  private readonly headers = new Map<SortKey, HTMLElement>();

  constructor(private readonly ctx: ViewContext) {
    this.filter = el('input', { type: 'search', id: 'run-filter', placeholder: 'filter by name, status, model, dataset, backend…', oninput: () => this.update() });
    const headRow = el('tr', {}, el('th', {}, ''));
    for (const c of COLUMNS) {
      const th = el('th', { className: 'sortable', 'data-sort': c.key, onclick: () => this.sortBy(c.key) }, c.label);
      this.headers.set(c.key, th);
      headRow.appendChild(th);
    }
    this.element = el(
      'section',
      { className: 'view runs-view' },
      el('div', { className: 'toolbar' }, this.filter, this.count, el('button', { type: 'button', id: 'compare-selected', onclick: () => ctx.go('compare') }, 'Compare selected')),
      el('table', { className: 'runs', id: 'runs-table' }, el('thead', {}, headRow), this.tbody),
    );
    this.update();
  }

  private sortBy(key: SortKey): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key !== 'name';
    }
    this.update();
  }

  private visibleRuns(): RunSummary[] {
    const words = this.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const runs = this.ctx.state.runs.filter((r) => {
      const text = [r.name, r.id, r.status, r.model, r.dataset, r.backend, r.command].join(' ').toLowerCase();
      return words.every((w) => text.includes(w));
    });
    const dir = this.descending ? -1 : 1;
    return runs.sort((a, b) => {
      const x = a[this.sortKey];
      const y = b[this.sortKey];
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
  }

  update(): void {
    const runs = this.visibleRuns();
    const selected = new Set(this.ctx.selected());
    clear(this.tbody);
    for (const r of runs) {
      const box = el('input', { type: 'checkbox', 'aria-label': `select ${r.name}`, checked: selected.has(r.id) });
      box.addEventListener('change', () => {
        const now = new Set(this.ctx.selected());
        if (box.checked) now.add(r.id);
        else now.delete(r.id);
        this.ctx.select([...now]);
      });
      const open = el('a', { href: '#', className: 'run-name', title: r.command }, r.name);
      open.addEventListener('click', (event) => {
        event.preventDefault();
        this.ctx.select([r.id]);
        this.ctx.go('scalars');
      });
      this.tbody.appendChild(
        el(
          'tr',
          { 'data-run-id': r.id, className: selected.has(r.id) ? 'selected' : '' },
          el('td', {}, box),
          el('td', {}, open, el('div', { className: 'muted small' }, r.id)),
          el('td', {}, el('span', { className: `status status-${r.status}` }, r.status)),
          el('td', {}, r.model),
          el('td', {}, r.dataset),
          el('td', {}, r.backend),
          el('td', {}, new Date(r.startedAt).toLocaleString()),
          el('td', { className: 'num' }, formatDuration(r.durationMs)),
          el('td', { className: 'num' }, formatPercent(r.bestTestAccuracy)),
          el('td', { className: 'num' }, formatPercent(r.lastTestAccuracy)),
        ),
      );
    }
    if (runs.length === 0) {
      this.tbody.appendChild(
        el('tr', {}, el('td', { colspan: COLUMNS.length + 1, className: 'muted', id: 'empty-state' }, this.ctx.state.runs.length ? 'No run matches the filter.' : 'No runs yet. Start one with: localbp train --dataset mnist --model lbp')),
      );
    }
    this.count.textContent = `${runs.length} of ${this.ctx.state.runs.length} runs`;
    for (const [key, th] of this.headers) th.dataset.order = key === this.sortKey ? (this.descending ? 'desc' : 'asc') : '';
  }

  destroy(): void {}
}
