import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { idxBytes, makeTempDir, removeDir } from './idx-test-fixtures';
import { isGzip, parseIdx, readIdxFile } from './idx-file';

function catchError(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('expected a DatasetError');
}

describe('parseIdx', () => {
  it('parses dims and data of a valid file', () => {
    const data = Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const idx = parseIdx(idxBytes([2, 3, 4], data), { file: 'a' });
    expect(idx.dims).toEqual([2, 3, 4]);
    expect(Array.from(idx.data)).toEqual(data);
  });

  it('rejects wrong magic bytes', () => {
    const bytes = idxBytes([2], [1, 2]);
    bytes[0] = 0x50;
    bytes[1] = 0x4b;
    const err = catchError(() => parseIdx(bytes, { file: '/x/file.zip', label: 'MNIST' }));
    expect(err.code).toBe('bad-magic');
    expect(err.file).toBe('/x/file.zip');
    expect(err.message).toBe(
      'MNIST file /x/file.zip has wrong magic bytes 0x50 0x4b: expected 0x00 0x00 (IDX format); is it an IDX file?',
    );
  });

  it('rejects a dtype other than unsigned byte', () => {
    const bytes = idxBytes([1], [0]);
    bytes[2] = 0x0d;
    const err = catchError(() => parseIdx(bytes, { file: 'f' }));
    expect(err.code).toBe('bad-dtype');
    expect(err.message).toContain('0x0d (float32): expected 0x08 (unsigned byte)');
  });

  it('rejects zero dimensions', () => {
    expect(catchError(() => parseIdx(new Uint8Array([0, 0, 8, 0]), { file: 'f' })).code).toBe('bad-shape');
  });

  it('reports a truncated file with expected and found sizes', () => {
    // A 1000-byte prefix of a 60000-image file: header plus 984 pixels.
    const bytes = idxBytes([60000, 28, 28], new Uint8Array(984));
    const err = catchError(() =>
      parseIdx(bytes, { file: '/x/train-images-idx3-ubyte', label: 'MNIST', itemNoun: 'images' }),
    );
    expect(err.code).toBe('truncated');
    expect(err.message).toBe(
      'MNIST file /x/train-images-idx3-ubyte is truncated: expected 47040016 bytes (60000 images of 28x28), found 1000',
    );
  });

  it('reports truncation inside the header', () => {
    const err = catchError(() => parseIdx(idxBytes([5, 28, 28], []).subarray(0, 9), { file: 'f' }));
    expect(err.code).toBe('truncated');
    expect(err.message).toContain('needs 16 bytes, found 9');
    expect(catchError(() => parseIdx(new Uint8Array([0, 0]), { file: 'f' })).code).toBe('truncated');
  });

  it('reports extra bytes after the data', () => {
    const bytes = idxBytes([3], [1, 2, 3, 4, 5]);
    const err = catchError(() => parseIdx(bytes, { file: 'labels', label: 'MNIST', itemNoun: 'labels' }));
    expect(err.code).toBe('extra-bytes');
    expect(err.message).toBe('MNIST file labels has 2 extra bytes after the data: expected 11 bytes (3 labels), found 13');
  });
});

describe('readIdxFile', () => {
  let dir = '';
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('reads a plain file', () => {
    const path = join(dir, 'labels');
    writeFileSync(path, idxBytes([4], [3, 1, 4, 1]));
    expect(Array.from(readIdxFile(path).data)).toEqual([3, 1, 4, 1]);
  });

  it('gunzips a .gz file', () => {
    const path = join(dir, 'labels.gz');
    writeFileSync(path, gzipSync(idxBytes([4], [3, 1, 4, 1])));
    expect(Array.from(readIdxFile(path).data)).toEqual([3, 1, 4, 1]);
  });

  it('gunzips gzip bytes even without a .gz name', () => {
    const path = join(dir, 'labels');
    const gz = gzipSync(idxBytes([2], [7, 8]));
    expect(isGzip(gz)).toBe(true);
    writeFileSync(path, gz);
    expect(Array.from(readIdxFile(path).data)).toEqual([7, 8]);
  });

  it('says when the gunzipped content is truncated', () => {
    const path = join(dir, 'labels.gz');
    writeFileSync(path, gzipSync(idxBytes([4], [3, 1])));
    const err = catchError(() => readIdxFile(path));
    expect(err.code).toBe('truncated');
    expect(err.message).toContain('found 10 (after gunzip)');
  });

  it('rejects a .gz file that is not gzip', () => {
    const path = join(dir, 'labels.gz');
    writeFileSync(path, idxBytes([1], [1]));
    const err = catchError(() => readIdxFile(path));
    expect(err.code).toBe('corrupt-gzip');
    expect(err.file).toBe(path);
  });

  it('names a missing file', () => {
    const path = join(dir, 'nope');
    const err = catchError(() => readIdxFile(path));
    expect(err.code).toBe('missing-file');
    expect(err.message).toContain(path);
  });
});
