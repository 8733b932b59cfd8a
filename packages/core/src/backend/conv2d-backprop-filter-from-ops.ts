import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';

export type Conv2DPad = Conv2DBackpropFilterAttrs['pad'];

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * Regroups a padded NHWC input (height and width multiples of the strides) by
 * stride phase: padded pixel (q·sh + ph, r·sw + pw) of image n lands at
 * [(pw·sh + ph)·N + n, q, r]. Every filter tap then reads a plain 4-D slice,
 * which wasm copies far faster than a strided slice; two low-rank transposes
 * are used because wasm's rank-6 transpose is slow.
 */
function splitByStridePhase(x: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  if (strideHeight === 1 && strideWidth === 1) return x;
  const [batch, height, width, channels] = x.shape;
  const rowsPerPhase = height / strideHeight;
  const colsPerPhase = width / strideWidth;
  const byRowPhase = tf.transpose(
    tf.reshape(x, [batch, rowsPerPhase, strideHeight, width * channels]),
    [2, 0, 1, 3],
  );
  const byBothPhases = tf.transpose(
    tf.reshape(byRowPhase, [strideHeight * batch * rowsPerPhase * colsPerPhase, strideWidth, channels]),
    [1, 0, 2],
  );
  return tf.reshape(byBothPhases, [strideWidth * strideHeight * batch, rowsPerPhase, colsPerPhase, channels]);
}

/**
 * Filter gradient of a 2D convolution, written only with ops every backend has
 * (pad, reshape, transpose, slice, matMul, stack).
 *
 * For each filter tap (kh, kw) the input pixels it met form a strided window of
 * the padded input, [N·OH·OW, Cin]; the tap's gradient is dyᵀ [Cout, N·OH·OW]
 * times that window. The KH·KW results stack into [KH, KW, Cin, Cout].
 */
export function conv2dBackpropFilterFromOps(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: Conv2DPad,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const convInfo = tf.backend_util.computeConv2DInfo(
    x.shape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
    padInfo,
  } = convInfo;

  const expectedDy = [batchSize, outHeight, outWidth, outChannels];
  const [d0, d1, d2, d3] = dy.shape;
  const dyNhwcShape = dataFormat === 'NHWC' ? [d0, d1, d2, d3] : [d0, d2, d3, d1];
  if (expectedDy.some((size, i) => size !== dyNhwcShape[i])) {
    throw new Error(
      `Conv2DBackpropFilter: dy has shape [${dy.shape.join(', ')}] (${dataFormat}) but the ` +
        `convolution of x [${x.shape.join(', ')}] with filter [${filterShape.join(', ')}] ` +
        `produces [${expectedDy.join(', ')}] (NHWC)`,
    );
  }

  return tf.tidy(() => {
    const xNhwc = dataFormat === 'NHWC' ? x : tf.transpose(x, [0, 2, 3, 1]);
    const dyNhwc = dataFormat === 'NHWC' ? dy : tf.transpose(dy, [0, 2, 3, 1]);

    // Pad to cover every row/column a window touches (the 'ceil' rounding mode
    // can need more than padInfo gives), rounded up to whole strides for the
    // phase split. Extra zero rows/columns are never read by a window.
    const windowHeight = (outHeight - 1) * strideHeight + filterHeight;
    const windowWidth = (outWidth - 1) * strideWidth + filterWidth;
    const paddedHeight = roundUp(Math.max(windowHeight, padInfo.top + inHeight), strideHeight);
    const paddedWidth = roundUp(Math.max(windowWidth, padInfo.left + inWidth), strideWidth);
    const padBottom = paddedHeight - padInfo.top - inHeight;
    const padRight = paddedWidth - padInfo.left - inWidth;
    const needsPad = padInfo.top > 0 || padInfo.left > 0 || padBottom > 0 || padRight > 0;
    const xPadded = needsPad
      ? tf.pad(xNhwc, [
          [0, 0],
          [padInfo.top, padBottom],
          [padInfo.left, padRight],
          [0, 0],
        ])
      : xNhwc;

    const phases = splitByStridePhase(xPadded, strideHeight, strideWidth);
    // Columns and channels merged: each window row is then one contiguous run,
    // which wasm's slice copies in one call instead of one call per pixel.
    const [phaseBatch, phaseRows, phaseCols] = phases.shape;
    const phaseRowsFlat = tf.reshape(phases, [phaseBatch, phaseRows, phaseCols * inChannels]);
    const rows = batchSize * outHeight * outWidth;
    // dyᵀ once, so each tap is a plain matMul: wasm's transposeA path is ~10x slower.
    const dyTransposed = tf.transpose(tf.reshape(dyNhwc, [rows, outChannels]));
    const taps: tf.Tensor2D[] = [];
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        const phase = (kw % strideWidth) * strideHeight + (kh % strideHeight);
        const patch = tf.slice(
          phaseRowsFlat,
          [phase * batchSize, Math.floor(kh / strideHeight), Math.floor(kw / strideWidth) * inChannels],
          [batchSize, outHeight, outWidth * inChannels],
        );
        taps.push(tf.matMul(dyTransposed, tf.reshape(patch, [rows, inChannels])));
      }
    }
    // [KH·KW, Cout, Cin] → [KH, KW, Cin, Cout]
    return tf.reshape(tf.transpose(tf.stack(taps), [0, 2, 1]), filterShape);
  });
}
