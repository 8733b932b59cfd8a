import { ChartCard, type ChartLine } from './chart-card';
import { el } from './dom';

/** A set of chart cards keyed by id; cards are created as their data appears and kept across updates. */
export class ChartGrid {
  readonly element = el('div', { className: 'chart-grid' });
  private readonly cards = new Map<string, ChartCard>();

  /** Shows exactly these charts, in this order. */
  render(charts: Array<{ id: string; title: string; lines: ChartLine[] }>, xAxis: Parameters<ChartCard['update']>[1], smoothing: number, logY = false): void {
    const wanted = new Set(charts.map((c) => c.id));
    for (const [id, card] of this.cards) {
      if (!wanted.has(id)) {
        card.destroy();
        card.element.remove();
        this.cards.delete(id);
      }
    }
    for (const chart of charts) {
      let card = this.cards.get(chart.id);
      if (!card) {
        card = new ChartCard(chart.title);
        card.element.dataset.chartId = chart.id;
        this.cards.set(chart.id, card);
      }
      // Appending an attached node moves it: keeps the requested order.
      this.element.appendChild(card.element);
      card.update(chart.lines, xAxis, smoothing, logY);
    }
  }

  destroy(): void {
    for (const card of this.cards.values()) card.destroy();
    this.cards.clear();
  }
}
