import * as tf from '@tensorflow/tfjs';
import type {
  Conv2DBackpropFilterAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { conv2dBackpropFilterFromOps } from './conv2d-backprop-filter-from-ops';

/**
 * Wraps a kernel input as a Tensor usable by tf ops. The extra backend reference
 * balances the dispose at the end of the surrounding tidy, so the caller's data
 * survives.
 */
function borrowTensor<R extends tf.Rank>(info: TensorInfo, backend: KernelBackend): tf.Tensor<R> {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as tf.Tensor<R>;
}

/**
 * Hands a Tensor's data to the engine as a plain kernel output: the engine wraps
 * it in its own Tensor, so our wrapper is released without freeing the data.
 */
function releaseAsKernelOutput(tensor: tf.Tensor, backend: KernelBackend): TensorInfo {
  backend.incRef(tensor.dataId);
  const info: TensorInfo = { dataId: tensor.dataId, shape: tensor.shape, dtype: tensor.dtype };
  tensor.dispose();
  return info;
}

function assertUnitDilations(dilations: unknown): void {
  if (dilations == null) return;
  const values = Array.isArray(dilations) ? dilations : [dilations];
  if (values.some((d) => d !== 1)) {
    throw new Error(
      `Conv2DBackpropFilter on wasm supports only dilations = 1, got ${JSON.stringify(dilations)}`,
    );
  }
}

export const conv2dBackpropFilterKernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  if (x == null || dy == null) {
    throw new Error('Conv2DBackpropFilter: inputs x and dy are required');
  }
  // The engine passes the op's attributes through untyped.
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  assertUnitDilations((attrs as { dilations?: unknown } | undefined)?.dilations);
  // KernelFunc types the backend as {}; registered kernels always get a KernelBackend.
  const kernelBackend = backend as KernelBackend;

  const result = tf.tidy(() =>
    conv2dBackpropFilterFromOps(
      borrowTensor<tf.Rank.R4>(x, kernelBackend),
      borrowTensor<tf.Rank.R4>(dy, kernelBackend),
      filterShape,
      strides,
      pad,
      dataFormat,
      dimRoundingMode,
    ),
  );
  return releaseAsKernelOutput(result, kernelBackend);
};

/** The kernel tfjs-backend-wasm 4.x lacks, which conv2d and conv2dTranspose gradients need. */
export const wasmConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterKernelFunc,
};
