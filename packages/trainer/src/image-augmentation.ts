import { deriveSeed, tf } from '@localbp/core';
import { SeededRandom } from '@localbp/datasets';
import { z } from 'zod';

/**
 * Label-preserving transforms applied to every training batch (never to test data): random translations by up to
 * `shift` pixels (zero padding, as in the usual pad-and-crop) and, when `horizontalFlip`, a mirror image half of
 * the time (right for CIFAR-10 objects, wrong for digits). Cells and classifier see the same transformed batch.
 */
export const imageAugmentationSchema = z
  .object({
    shift: z.number().int().min(0).max(16).default(0),
    horizontalFlip: z.boolean().default(false),
  })
  .strict();

/** A validated augmentation config. */
export type ImageAugmentation = z.infer<typeof imageAugmentationSchema>;
/** An augmentation config as users write it. */
export type ImageAugmentationInput = z.input<typeof imageAugmentationSchema>;

/** Whether `augmentation` changes anything. */
export function augments(augmentation: ImageAugmentation): boolean {
  return augmentation.shift > 0 || augmentation.horizontalFlip;
}

/**
 * A transformed copy of `images` ([N, H, W, C]); the caller disposes both. Offsets and flips are drawn per example
 * from `seed` (the training step), so a resumed run transforms each batch exactly as the uninterrupted one would.
 * One crop-and-resize over the padded batch: with integer offsets it samples pixels exactly, no interpolation.
 */
export function augmentImages(images: tf.Tensor4D, augmentation: ImageAugmentation, seed: number): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const s = augmentation.shift;
  const random = new SeededRandom(deriveSeed(seed, 0xa06));
  const boxes = new Float32Array(n * 4);
  const hp = h + 2 * s;
  const wp = w + 2 * s;
  for (let i = 0; i < n; i++) {
    const dy = s > 0 ? random.nextInt(2 * s + 1) : 0;
    const dx = s > 0 ? random.nextInt(2 * s + 1) : 0;
    const flip = augmentation.horizontalFlip && random.next() < 0.5;
    // Normalized corners in the padded image; x1 > x2 samples the crop mirrored.
    const y1 = dy / (hp - 1);
    const y2 = (dy + h - 1) / (hp - 1);
    const xa = dx / (wp - 1);
    const xb = (dx + w - 1) / (wp - 1);
    boxes.set([y1, flip ? xb : xa, y2, flip ? xa : xb], i * 4);
  }
  return tf.tidy(() => {
    const padded = s > 0 ? tf.pad(images, [[0, 0], [s, s], [s, s], [0, 0]]) : images;
    const indices = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
    return tf.image.cropAndResize(padded, tf.tensor2d(boxes, [n, 4]), indices, [h, w], 'bilinear');
  });
}
