import { convertIndexedToRgb, decode, hasPngSignature } from 'fast-png';
import { DatasetError } from './dataset-error';

/** Whether bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return hasPngSignature(bytes);
}

/**
 * Decodes a PNG into one image of `imageShape` ([H, W, C], C = 1 or 3), bytes 0..255 in HWC order: the
 * layout of `LabeledSplit.images`. Palette, 16-bit, gray/RGB with or without alpha are accepted; colour
 * becomes gray by luminance (ITU-R BT.601) for one-channel models, gray is repeated for three; alpha is
 * dropped. The size must match: nothing is resized silently.
 */
export function decodePngImage(bytes: Uint8Array, imageShape: readonly number[], file = '(png)'): Uint8Array {
  const [height, width, channels] = imageShape as [number, number, number];
  if (!isPng(bytes)) throw new DatasetError('bad-magic', `${file} is not a PNG file (no PNG signature)`, file);
  let png;
  try {
    png = decode(bytes);
  } catch (err) {
    throw new DatasetError('unreadable-file', `${file} is not a readable PNG: ${(err as Error).message}`, file);
  }
  if (png.width !== width || png.height !== height) {
    throw new DatasetError('bad-shape', `${file} is ${png.width}x${png.height}; the model takes ${width}x${height} images`, file);
  }
  const source = png.palette ? convertIndexedToRgb(png) : png.data;
  const sourceChannels = png.palette ? (png.palette[0]?.length ?? 3) : png.channels;
  const scale = png.palette || png.depth === 8 ? 1 : png.depth === 16 ? 1 / 257 : 255 / (2 ** png.depth - 1);
  const colour = sourceChannels >= 3;
  const out = new Uint8Array(height * width * channels);
  for (let p = 0; p < height * width; p++) {
    const at = (c: number) => (source[p * sourceChannels + c] ?? 0) * scale;
    const gray = colour ? 0.299 * at(0) + 0.587 * at(1) + 0.114 * at(2) : at(0);
    for (let c = 0; c < channels; c++) out[p * channels + c] = Math.round(channels === 1 || !colour ? gray : at(c));
  }
  return out;
}
