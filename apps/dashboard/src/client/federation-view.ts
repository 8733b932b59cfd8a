import { ChartCard } from './chart-card';
import { clear, el, formatNumber, formatPercent } from './dom';
import { federationRounds } from './federation-rounds';
import { runPicker } from './run-picker';
import type { View, ViewContext } from './view';

/** Rounds × clients (participation, local loss, rejections with reason) and global accuracy per round. */
export class FederationView implements View {
  readonly element: HTMLElement;
  private readonly header = el('div', { className: 'toolbar' });
  private readonly chart = new ChartCard('Global test accuracy per round', 520, 220, 'round');
  private readonly table = el('div', { className: 'table-scroll', id: 'federation-table' });

  constructor(private readonly ctx: ViewContext) {
    this.element = el('section', { className: 'view federation-view' }, this.header, this.chart.element, this.table);
    this.update();
  }

  update(): void {
    const runId = this.ctx.selected()[0] ?? this.ctx.state.runs[0]?.id;
    clear(this.header);
    this.header.append(runPicker(this.ctx, runId));
    clear(this.table);
    if (!runId) return;
    void this.ctx.state.load(runId);
    const data = this.ctx.state.data.get(runId);
    if (!data) return;
    const rounds = federationRounds(data.events);
    if (rounds.length === 0) {
      this.table.append(el('p', { className: 'muted' }, 'This run has no federation rounds (events of kind federation-round, written by localbp federate).'));
    }
    const withAccuracy = rounds.filter((r) => r.testAccuracy !== null);
    this.chart.update(
      [
        {
          label: 'test accuracy',
          color: '#2ca02c',
          x: withAccuracy.map((r) => r.round),
          y: withAccuracy.map((r) => r.testAccuracy),
          raw: {
            runId,
            key: 'federation/testAccuracy',
            cell: null,
            step: withAccuracy.map((r) => r.round),
            epoch: withAccuracy.map((r) => r.round),
            wallTime: withAccuracy.map(() => 0),
            value: withAccuracy.map((r) => r.testAccuracy),
          },
        },
      ],
      'step',
      0,
    );
    if (rounds.length === 0) return;
    const clients = [...new Set(rounds.flatMap((r) => r.clients.map((c) => c.clientId)))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const head = el('tr', {}, el('th', {}, 'Round'), el('th', {}, 'Accuracy'), ...clients.map((c) => el('th', {}, c)));
    const body = el('tbody');
    for (const r of rounds) {
      const byId = new Map(r.clients.map((c) => [c.clientId, c]));
      body.appendChild(
        el(
          'tr',
          { 'data-round': r.round },
          el('td', { className: 'num' }, r.round),
          el('td', { className: 'num' }, formatPercent(r.testAccuracy)),
          ...clients.map((id) => {
            const c = byId.get(id);
            if (!c) return el('td', { className: 'muted' }, '—');
            if (c.rejected) {
              return el('td', { className: 'rejected', title: c.rejected.reason }, `rejected: ${c.rejected.code}`, el('div', { className: 'small' }, c.rejected.reason));
            }
            if (!c.participated) return el('td', { className: 'muted' }, 'skipped');
            return el(
              'td',
              { className: 'participated' },
              `loss ${formatNumber(c.loss)}`,
              el('div', { className: 'small muted' }, `${c.examples ?? '?'} ex · ${c.cells.join(', ') || 'all cells'}`),
            );
          }),
        ),
      );
    }
    this.table.append(el('table', { className: 'federation' }, el('thead', {}, head), body));
  }

  destroy(): void {
    this.chart.destroy();
  }
}
