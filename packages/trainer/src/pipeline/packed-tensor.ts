import { tf } from '@localbp/core';

/** A tensor's values as a plain typed array that can cross threads (structured clone or transfer). */
export interface PackedTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/** Reads a tensor into a packed copy whose buffer is its own, so it can be transferred. */
export function packTensor(tensor: tf.Tensor): PackedTensor {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
    throw new TypeError(`packTensor: ${tensor.dtype} tensors do not travel between stages`);
  }
  const data = tensor.dataSync() as Float32Array | Int32Array;
  // Backends may hand out a view of a larger buffer; transferring that would detach their memory.
  const values = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
  return { shape: [...tensor.shape], dtype: tensor.dtype, values };
}

/** The buffers to transfer with a message holding these packed tensors. */
export function transferList(tensors: ReadonlyArray<PackedTensor | undefined>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of tensors) if (t) buffers.add(t.values.buffer as ArrayBuffer);
  return [...buffers];
}

/** A tensor on the current backend with the packed values (bit for bit). */
export function unpackTensor<R extends tf.Rank = tf.Rank>(packed: PackedTensor): tf.Tensor<R> {
  return tf.tensor(packed.values, packed.shape as number[], packed.dtype) as unknown as tf.Tensor<R>;
}
