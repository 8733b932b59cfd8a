import { COLORS, esc, f, ticks } from './svg-parts';

/** One line of a line figure: points at numeric x; `dashed` draws a reference (e.g. a centralized twin). */
export interface LineSeries {
  name: string;
  points: ReadonlyArray<{ x: number; y: number }>;
  dashed?: boolean;
  /** Series with the same color index share a color (a run and its twin). */
  color?: number;
}

/** What a line figure shows. */
export interface LineFigure {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Tick label of a y value (e.g. percent, MiB). */
  yFormat: (y: number) => string;
  series: readonly LineSeries[];
  /** Y range floor (default: from the data). */
  yMin?: number;
}

const W = 760;
const H = 420;
const M = { left: 70, right: 250, top: 40, bottom: 50 };

/** A line chart with integer x ticks (depth, round), one legend entry per series. */
export function lineFigureSvg(fig: LineFigure): string {
  const xs = fig.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = fig.series.flatMap((s) => s.points.map((p) => p.y));
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  let lo = fig.yMin ?? (ys.length ? Math.min(...ys) : 0);
  let hi = ys.length ? Math.max(...ys) : 1;
  const pad = Math.max(Math.abs(hi) * 0.02, (hi - lo) * 0.1, 1e-6);
  lo = fig.yMin ?? lo - pad;
  hi += pad;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (v: number) => M.left + (x1 === x0 ? plotW / 2 : ((v - x0) / (x1 - x0)) * plotW);
  const y = (v: number) => M.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="15">${esc(fig.title)}</text>`,
  ];
  for (const t of ticks(lo, hi)) {
    parts.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${f(y(t))}" y2="${f(y(t))}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${f(y(t) + 4)}" text-anchor="end">${esc(fig.yFormat(t))}</text>`,
    );
  }
  for (let v = Math.ceil(x0); v <= x1; v++) parts.push(`<text x="${f(x(v))}" y="${M.top + plotH + 18}" text-anchor="middle">${v}</text>`);
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${M.left + plotW / 2}" y="${H - 10}" text-anchor="middle">${esc(fig.xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(fig.yLabel)}</text>`,
  );
  fig.series.forEach((s, i) => {
    const color = COLORS[(s.color ?? i) % COLORS.length]!;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const ly = M.top + 10 + i * 20;
    parts.push(
      `<g data-series="${esc(s.name)}">`,
      `<polyline points="${s.points.map((p) => `${f(x(p.x))},${f(y(p.y))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`,
      ...s.points.map((p) => `<circle cx="${f(x(p.x))}" cy="${f(y(p.y))}" r="2.5" fill="${color}"/>`),
      `<line x1="${M.left + plotW + 12}" x2="${M.left + plotW + 30}" y1="${ly - 3}" y2="${ly - 3}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${M.left + plotW + 36}" y="${ly + 1}">${esc(s.name)}</text>`,
      '</g>',
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
