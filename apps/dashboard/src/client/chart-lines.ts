import { colorOf, type ChartLine, type XAxis } from './chart-card';
import type { RunData, Series } from './run-data';

export function xValues(run: RunData, s: Series, axis: XAxis): number[] {
  if (axis === 'step') return s.step;
  if (axis === 'wall') return s.wallTime;
  return s.step.map((step, i) => run.fractionalEpoch(step, s.epoch[i]!));
}

/** Where the run's record ends on `axis`: its last step (step, epoch axes); none on wall time. */
function xEndOf(run: RunData, axis: XAxis): number | undefined {
  const last = run.lastStep();
  if (!last || axis === 'wall') return undefined;
  return axis === 'step' ? last.step : run.fractionalEpoch(last.step, last.epoch);
}

export function lineOf(run: RunData, s: Series, axis: XAxis, label: string, colorIndex: number): ChartLine {
  const xEnd = xEndOf(run, axis);
  return { label, color: colorOf(colorIndex), x: xValues(run, s, axis), y: s.value, raw: s, ...(xEnd === undefined ? {} : { xEnd }) };
}

/** Order of chart cards: accuracy first, then per-step losses, epoch means, latent statistics, the rest. */
export function keyRank(key: string): number {
  if (key === 'testAccuracy') return 0;
  if (key.startsWith('loss/')) return 1;
  if (key.startsWith('goodness/')) return 2;
  if (key.startsWith('epoch/')) return 3;
  if (key.startsWith('latent/')) return 4;
  return 5;
}

export function sortKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => keyRank(a) - keyRank(b) || a.localeCompare(b, undefined, { numeric: true }));
}
