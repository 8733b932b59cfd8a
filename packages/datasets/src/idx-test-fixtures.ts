// Helpers for tests only (not exported from index.ts): small IDX files in a temp folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** IDX bytes for unsigned-byte data of the given dims. */
export function idxBytes(dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(Array.from(data), header.length);
  return out;
}

/** Deterministic fake images: pixel p of image i is (i * 7 + p) % 256. */
export function fakeImages(count: number, height = 28, width = 28): Uint8Array {
  const size = height * width;
  const data = new Uint8Array(count * size);
  for (let i = 0; i < count; i++) for (let p = 0; p < size; p++) data[i * size + p] = (i * 7 + p) % 256;
  return data;
}

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'localbp-datasets-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface FakeIdxDatasetOptions {
  trainLabels?: number[];
  testLabels?: number[];
  /** Images in the train images file; defaults to trainLabels.length. */
  trainImages?: number;
  imageSide?: number;
  gzip?: boolean;
}

/** Writes the four MNIST-named IDX files into `dir`. */
export function writeFakeIdxDataset(dir: string, options: FakeIdxDatasetOptions = {}): void {
  const trainLabels = options.trainLabels ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 1];
  const testLabels = options.testLabels ?? [9, 8, 7, 0, 1];
  const side = options.imageSide ?? 28;
  const trainImages = options.trainImages ?? trainLabels.length;
  const write = (name: string, bytes: Uint8Array): void =>
    writeFileSync(join(dir, options.gzip ? `${name}.gz` : name), options.gzip ? gzipSync(bytes) : bytes);
  write('train-images-idx3-ubyte', idxBytes([trainImages, side, side], fakeImages(trainImages, side, side)));
  write('train-labels-idx1-ubyte', idxBytes([trainLabels.length], trainLabels));
  write('t10k-images-idx3-ubyte', idxBytes([testLabels.length, side, side], fakeImages(testLabels.length, side, side)));
  write('t10k-labels-idx1-ubyte', idxBytes([testLabels.length], testLabels));
}
