/** Mean, sample standard deviation (n − 1; 0 for one value), min and max of a set of runs' values. */
export interface Spread {
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** Mean, standard deviation, min and max of the values; null for none. */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}
