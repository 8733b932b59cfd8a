import type { ModelResult } from './aggregate-results';
import { COLORS, esc, f, ticks } from './svg-parts';

const W = 720;
const H = 420;
const M = { left: 60, right: 200, top: 40, bottom: 50 };

/**
 * Test accuracy per epoch of every model on one dataset: the mean over seeds as a line, the min–max over seeds as
 * a band (a bar when there is a single epoch). Hand-written SVG, so reports need no plotting dependency.
 */
export function accuracyFigureSvg(dataset: string, results: readonly ModelResult[], labels: ReadonlyMap<string, string>): string {
  const epochs = Math.max(1, ...results.map((r) => r.epochAccuracy.length));
  const points = results.flatMap((r) => r.epochAccuracy.flatMap((s) => (s ? [s.min, s.max] : [])));
  let lo = points.length ? Math.min(...points) : 0;
  let hi = points.length ? Math.max(...points) : 1;
  const pad = Math.max(0.005, (hi - lo) * 0.1);
  lo = Math.max(0, lo - pad);
  hi = Math.min(1, hi + pad);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (epoch: number) => M.left + (epochs === 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW);
  const y = (acc: number) => M.top + (1 - (acc - lo) / (hi - lo)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="15">${esc(`${dataset}: test accuracy per epoch (line: mean over seeds, band: min–max)`)}</text>`,
  ];
  for (const t of ticks(lo, hi)) {
    parts.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${f(y(t))}" y2="${f(y(t))}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${f(y(t) + 4)}" text-anchor="end">${(t * 100).toFixed(1)}%</text>`,
    );
  }
  for (let e = 1; e <= epochs; e++) {
    parts.push(`<text x="${f(x(e))}" y="${M.top + plotH + 18}" text-anchor="middle">${e}</text>`);
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${M.left + plotW / 2}" y="${H - 10}" text-anchor="middle">epoch</text>`,
  );
  results.forEach((r, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = r.epochAccuracy.flatMap((s, e) => (s ? [{ e: e + 1, s }] : []));
    if (!pts.length) return;
    const group: string[] = [`<g data-model="${esc(r.model)}">`];
    if (epochs === 1) {
      const { s } = pts[0]!;
      const cx = x(1) + (i - (results.length - 1) / 2) * 10;
      group.push(
        `<line x1="${f(cx)}" x2="${f(cx)}" y1="${f(y(s.min))}" y2="${f(y(s.max))}" stroke="${color}" stroke-width="3" opacity="0.5"/>`,
        `<circle cx="${f(cx)}" cy="${f(y(s.mean))}" r="4" fill="${color}"/>`,
      );
    } else {
      const upper = pts.map((p) => `${f(x(p.e))},${f(y(p.s.max))}`);
      const lower = pts.map((p) => `${f(x(p.e))},${f(y(p.s.min))}`).reverse();
      group.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" opacity="0.18"/>`,
        `<polyline points="${pts.map((p) => `${f(x(p.e))},${f(y(p.s.mean))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
        ...pts.map((p) => `<circle cx="${f(x(p.e))}" cy="${f(y(p.s.mean))}" r="2.5" fill="${color}"/>`),
      );
    }
    const ly = M.top + 10 + i * 20;
    group.push(
      `<rect x="${M.left + plotW + 14}" y="${ly - 8}" width="14" height="10" fill="${color}"/>`,
      `<text x="${M.left + plotW + 34}" y="${ly + 1}">${esc(r.model)} (n=${r.seeds.length})</text>`,
      `<title>${esc(labels.get(r.model) ?? r.model)}</title>`,
      '</g>',
    );
    parts.push(...group);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
