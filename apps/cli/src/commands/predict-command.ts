import { Command, Option } from '@commander-js/extra-typings';
import { BACKEND_CHOICES, tf } from '@localbp/core';
import { DatasetError, decodePngImage, isPng, readIdxFile } from '@localbp/datasets';
import { readFileSync } from 'node:fs';
import { openTrainedRun } from '../trained-run';

const CHUNK = 1000;

/** Images of `imageShape` from a PNG (one image) or an IDX file (one or many), as HWC bytes. */
function readImages(file: string, imageShape: readonly number[]): { count: number; pixels: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError('missing-file', `cannot read ${file}: ${(err as Error).message}`, file);
  }
  const size = imageShape.reduce((a, b) => a * b, 1);
  if (isPng(bytes)) return { count: 1, pixels: decodePngImage(bytes, imageShape, file) };
  const idx = readIdxFile(file, { itemNoun: 'images' });
  // One image ([H, W] or [H, W, C]) or a stack of them ([N, H, W] or [N, H, W, C]).
  const shapes = (imageShape[2] ?? 1) === 1 ? [imageShape, imageShape.slice(0, 2)] : [imageShape];
  const isImage = (dims: readonly number[]) => shapes.some((shape) => shape.join('x') === dims.join('x'));
  if (!isImage(idx.dims) && !isImage(idx.dims.slice(1))) {
    throw new DatasetError('bad-shape', `${file} holds an array of ${idx.dims.join('x')}; the model takes images of ${imageShape.join('x')}`, file);
  }
  return { count: idx.data.length / size, pixels: idx.data };
}

/** `localbp predict runs/NAME --input image.png|images.idx`: the class of each image. */
export function predictCommand(): Command<[string], Record<string, unknown>> {
  return new Command('predict')
    .description('classify images (a PNG, or an IDX file of images) with a trained run')
    .argument('<run>', 'run directory written by localbp train --out')
    .requiredOption('--input <file>', 'a PNG of the dataset\'s image size, or an IDX file of images (may be .gz)')
    .option('--limit <n>', 'classify only the first N images of an IDX file')
    .addOption(new Option('--backend <name>', 'compute engine (default: the one the run chose)').choices(BACKEND_CHOICES))
    .option('--json', 'print one JSON result as the last line of stdout', false)
    .action(async (dir, opts) => {
      const run = await openTrainedRun(dir, opts.backend ? { backend: opts.backend } : {});
      try {
        const shape = run.model.data.imageShape;
        const images = readImages(opts.input, shape);
        const count = opts.limit === undefined ? images.count : Math.min(images.count, Number(opts.limit) || 0);
        const size = shape.reduce((a, b) => a * b, 1);
        const predictions: Array<{ index: number; class: number; label: string; probability: number }> = [];
        for (let start = 0; start < count; start += CHUNK) {
          const n = Math.min(CHUNK, count - start);
          const [classes, probabilities] = tf.tidy(() => {
            const xs = tf.div(tf.tensor(images.pixels.subarray(start * size, (start + n) * size), [n, ...shape], 'float32'), 255);
            const probs = tf.softmax(run.model.predictLogits(xs));
            return [tf.argMax(probs, 1).dataSync(), tf.max(probs, 1).dataSync()];
          });
          for (let i = 0; i < n; i++) {
            const c = classes[i]!;
            predictions.push({ index: start + i, class: c, label: run.classNames[c] ?? String(c), probability: Number(probabilities[i]!.toFixed(6)) });
          }
        }
        if (opts.json) process.stdout.write(`${JSON.stringify({ run: dir, input: opts.input, predictions })}\n`);
        else for (const p of predictions) process.stdout.write(`${p.index}\t${p.class}\t${p.label}\t${p.probability.toFixed(4)}\n`);
      } finally {
        run.model.dispose();
        tf.disposeVariables();
      }
    }) as unknown as Command<[string], Record<string, unknown>>;
}
