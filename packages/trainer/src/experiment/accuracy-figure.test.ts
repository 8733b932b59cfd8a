import { describe, expect, it } from 'vitest';
import { accuracyFigureSvg } from './accuracy-figure';
import type { ModelResult } from './aggregate-results';
import { spread } from './summary-statistics';

function result(model: string, perEpoch: number[][]): ModelResult {
  return {
    dataset: 'mnist', model, seeds: [1, 2], finalAccuracy: null, bestAccuracy: null,
    epochAccuracy: perEpoch.map((v) => spread(v)), secondsPerEpoch: null, peakTensorBytes: null, peakRssBytes: null, parameters: null,
  };
}

describe('accuracyFigureSvg', () => {
  it('draws a band and a mean line per model over several epochs', () => {
    const svg = accuracyFigureSvg('mnist', [result('lbp-ae', [[0.8, 0.9], [0.9, 0.95]]), result('lbp-dae', [[0.7, 0.75], [0.8, 0.85]])], new Map());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polygon /g)).toHaveLength(2);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('data-model="lbp-dae"');
    expect(svg).toContain('lbp-ae (n=2)');
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('draws a min–max bar when there is one epoch, and escapes names', () => {
    const svg = accuracyFigureSvg('a<b', [result('lbp-ae', [[0.5, 0.5]])], new Map([['lbp-ae', 'x & y']]));
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('<title>x &amp; y</title>');
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});
