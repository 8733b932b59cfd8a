/**
 * Byte offsets of every batch item of a batched product, with tfjs's broadcasting of the batch dimensions
 * (right-aligned; a size-1 dimension repeats). A broadcast operand's offsets repeat, so it is never copied.
 */
export function batchOffsets(
  outBatch: readonly number[],
  operandBatch: readonly number[],
  base: number,
  matrixBytes: number,
): Float64Array {
  const count = outBatch.reduce((p, d) => p * d, 1);
  const rank = outBatch.length;
  const shift = rank - operandBatch.length;
  // Element strides of the operand's batch dims, 0 where it broadcasts.
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = operandBatch.length - 1; i >= 0; i--) {
    const size = operandBatch[i]!;
    strides[i + shift] = size === 1 ? 0 : stride;
    stride *= size;
  }
  const offsets = new Float64Array(count);
  const index = new Array<number>(rank).fill(0);
  for (let item = 0; item < count; item++) {
    let matrix = 0;
    for (let d = 0; d < rank; d++) matrix += index[d]! * strides[d]!;
    offsets[item] = base + matrix * matrixBytes;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < outBatch[d]!) break;
      index[d] = 0;
    }
  }
  return offsets;
}

/** Offsets of a dense output batch: one matrix after the other. */
export function denseOffsets(count: number, base: number, matrixBytes: number): Float64Array {
  const offsets = new Float64Array(count);
  for (let i = 0; i < count; i++) offsets[i] = base + i * matrixBytes;
  return offsets;
}
