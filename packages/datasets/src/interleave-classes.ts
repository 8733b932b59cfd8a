/** A run of images that all belong to one class; the class is its index in the list passed in. */
export interface ClassRun {
  /** Packed images of the class (each `imageSize` values). */
  images: Uint8Array;
  /** First image of the run. */
  start: number;
  count: number;
}

/**
 * Packs per-class runs into one array, taking image k of class 0, 1, …, C-1 before image k+1
 * (classes that run out are skipped). Any prefix is then as class-balanced as possible,
 * so `subset()` of the result still covers every class.
 */
export function interleaveClasses(
  runs: readonly ClassRun[],
  imageSize: number,
): { images: Uint8Array; labels: Uint8Array; count: number } {
  const count = runs.reduce((sum, run) => sum + run.count, 0);
  const longest = runs.reduce((max, run) => Math.max(max, run.count), 0);
  const images = new Uint8Array(count * imageSize);
  const labels = new Uint8Array(count);
  let n = 0;
  for (let k = 0; k < longest; k++) {
    runs.forEach((run, label) => {
      if (k >= run.count) return;
      const from = (run.start + k) * imageSize;
      images.set(run.images.subarray(from, from + imageSize), n * imageSize);
      labels[n] = label;
      n++;
    });
  }
  return { images, labels, count };
}
