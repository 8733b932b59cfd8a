/**
 * Largest-Triangle-Three-Buckets: keeps `threshold` points that preserve the visual shape of a
 * series (peaks and dips survive, unlike striding). Null values are dropped first.
 */
export function lttb(xs: readonly number[], ys: ReadonlyArray<number | null>, threshold: number): { x: number[]; y: number[] } {
  const px: number[] = [];
  const py: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y !== null && y !== undefined && Number.isFinite(y)) {
      px.push(xs[i]!);
      py.push(y);
    }
  }
  const n = px.length;
  if (threshold >= n || threshold < 3) return { x: px, y: py };
  const outX: number[] = [px[0]!];
  const outY: number[] = [py[0]!];
  const bucket = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket: the third vertex of the triangle.
    const nextStart = Math.floor((i + 1) * bucket) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * bucket) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += px[j]!;
      avgY += py[j]!;
    }
    const count = Math.max(1, nextEnd - nextStart);
    avgX /= count;
    avgY /= count;
    const start = Math.floor(i * bucket) + 1;
    const end = Math.floor((i + 1) * bucket) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((px[a]! - avgX) * (py[j]! - py[a]!) - (px[a]! - px[j]!) * (avgY - py[a]!));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    outX.push(px[best]!);
    outY.push(py[best]!);
    a = best;
  }
  outX.push(px[n - 1]!);
  outY.push(py[n - 1]!);
  return { x: outX, y: outY };
}

/** TensorBoard's debiased exponential moving average; `weight` 0 returns the values unchanged. */
export function smooth(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return [...values];
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - weight ** n);
  });
}
