import { describe, expect, it } from 'vitest';
import { barFigureSvg } from './bar-figure';
import { lineFigureSvg } from './line-figure';

describe('hand-written SVG figures', () => {
  it('draws one line per series, dashed twins in their run\'s color, and the same bytes for the same input', () => {
    const fig = {
      title: 'memory <vs> depth', xLabel: 'depth', yLabel: 'MiB', yFormat: (y: number) => y.toFixed(0), yMin: 0,
      series: [{ name: 'lbp-cae', points: [{ x: 2, y: 10 }, { x: 3, y: 12 }] }, { name: 'bp-cnn', points: [{ x: 2, y: 20 }, { x: 3, y: 30 }], dashed: true, color: 0 }],
    };
    const svg = lineFigureSvg(fig);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('memory &lt;vs&gt; depth');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/stroke="#1f77b4" stroke-width="2" stroke-dasharray="6 4"/g)).toHaveLength(2);
    expect(lineFigureSvg(fig)).toBe(svg);
  });

  it('draws a bar per model with its ± std error bar and the published figure as a marker', () => {
    const svg = barFigureSvg('final', [{ name: 'ff', mean: 0.9, std: 0.01, n: 3, reference: 0.9855 }, { name: 'bp-mlp', mean: 0.95, std: 0, n: 3 }]);
    expect(svg.match(/<g data-model=/g)).toHaveLength(2);
    expect(svg).toContain('90.00% (n=3)');
    expect(svg).toContain('<title>published 98.55%</title>');
  });
});
