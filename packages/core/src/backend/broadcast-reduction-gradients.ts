import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';

// tfjs 4.22's own Sum and Mean gradients broadcast dy by multiplying it with `ones(x.shape)`: a full-size
// array filled in JavaScript and uploaded on every backward pass (about 4 ms of a 70 ms step of the main job
// on native). `onesLike(x)` is a kernel that fills on the backend itself, so the same product gives the same
// floats bit for bit, on every backend. (Tile would skip the product, but wasm's Tile is ~50x slower.)

/** dy's shape with the reduced axes put back as 1s, and how many elements each output summed. */
function reduction(x: Tensor, attrs: NamedAttrMap): { expanded: number[]; reduceSize: number } {
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const expanded = x.shape.slice();
  for (const axis of axes) expanded[axis] = 1;
  const [, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
  return { expanded, reduceSize: tf.util.sizeFromShape(reduceShape) };
}

/** Float32 ones shaped like x, filled by the backend (tfjs's gradients use float32 ones whatever x's dtype). */
function onesLike(x: Tensor): Tensor {
  return x.dtype === 'float32' ? tf.onesLike(x) : tf.ones(x.shape, 'float32');
}

const sumGradient: GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    const grad = tf.mul(tf.reshape(dy as Tensor, reduction(x, attrs).expanded), onesLike(x));
    return { x: () => grad };
  },
};

const meanGradient: GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    const { expanded, reduceSize } = reduction(x, attrs);
    return { x: () => tf.div(tf.mul(tf.reshape(dy as Tensor, expanded), onesLike(x)), reduceSize) };
  },
};

/** The gradients tfjs itself registered for Sum and Mean, before `registerBroadcastReductionGradients`. */
export const TFJS_REDUCTION_GRADIENTS: { sum: GradConfig | undefined; mean: GradConfig | undefined } = {
  sum: undefined,
  mean: undefined,
};

let registered = false;

/** Replaces tfjs's Sum and Mean gradients with ones that fill on the backend (same results); idempotent. */
export function registerBroadcastReductionGradients(): void {
  if (registered) return;
  registered = true;
  TFJS_REDUCTION_GRADIENTS.sum = tf.getGradient(tf.Sum);
  TFJS_REDUCTION_GRADIENTS.mean = tf.getGradient(tf.Mean);
  tf.registerGradient(sumGradient);
  tf.registerGradient(meanGradient);
}
