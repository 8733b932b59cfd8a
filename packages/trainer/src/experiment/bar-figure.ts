import { COLORS, esc, f, ticks } from './svg-parts';

/** One bar: the mean, and the mean ± std as its error bar. */
export interface Bar {
  name: string;
  mean: number;
  std: number;
  n: number;
  /** A published figure drawn as a marker beside the bar. */
  reference?: number;
}

const W = 760;
const BAR = 26;
const M = { left: 110, right: 40, top: 40, bottom: 40 };

/** Horizontal bars with error bars (± one std over seeds) and published figures as diamonds. */
export function barFigureSvg(title: string, bars: readonly Bar[]): string {
  const H = M.top + M.bottom + Math.max(1, bars.length) * BAR;
  const values = bars.flatMap((b) => [b.mean - b.std, b.mean + b.std, ...(b.reference !== undefined ? [b.reference] : [])]);
  const lo = 0;
  const hi = Math.min(1, Math.max(0.1, ...values) * 1.05);
  const plotW = W - M.left - M.right;
  const x = (v: number) => M.left + ((Math.max(lo, v) - lo) / (hi - lo)) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="15">${esc(title)}</text>`,
  ];
  for (const t of ticks(lo, hi)) {
    parts.push(
      `<line x1="${f(x(t))}" x2="${f(x(t))}" y1="${M.top}" y2="${H - M.bottom}" stroke="#ddd"/>`,
      `<text x="${f(x(t))}" y="${H - M.bottom + 16}" text-anchor="middle">${(t * 100).toFixed(0)}%</text>`,
    );
  }
  bars.forEach((b, i) => {
    const top = M.top + i * BAR + 4;
    const mid = top + (BAR - 8) / 2;
    const color = COLORS[i % COLORS.length]!;
    parts.push(
      `<g data-model="${esc(b.name)}">`,
      `<text x="${M.left - 6}" y="${f(mid + 4)}" text-anchor="end">${esc(b.name)}</text>`,
      `<rect x="${M.left}" y="${top}" width="${f(x(b.mean) - M.left)}" height="${BAR - 8}" fill="${color}" opacity="0.8"/>`,
      `<line x1="${f(x(b.mean - b.std))}" x2="${f(x(b.mean + b.std))}" y1="${f(mid)}" y2="${f(mid)}" stroke="#222" stroke-width="1.5"/>`,
      `<text x="${f(x(b.mean + b.std) + 6)}" y="${f(mid + 4)}">${(b.mean * 100).toFixed(2)}% (n=${b.n})</text>`,
      ...(b.reference !== undefined
        ? [`<path d="M ${f(x(b.reference))} ${f(mid - 6)} l 5 6 l -5 6 l -5 -6 z" fill="none" stroke="#000"><title>published ${(b.reference * 100).toFixed(2)}%</title></path>`]
        : []),
      '</g>',
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
