/**
 * A named float32 tensor as plain memory. The protocol, validation and aggregation work on these,
 * so a server never creates a tfjs tensor from untrusted bytes and needs no backend to aggregate.
 */
export interface WeightArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Elements a shape holds. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The unit (cell or classifier) a weight belongs to: the part of its name before the first `/`,
 * e.g. `cell-2/encoder/kernel` → `cell-2`, `head/dense-1/bias` → `head`.
 */
export function unitOfWeight(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}
