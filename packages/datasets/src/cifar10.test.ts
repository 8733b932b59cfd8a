import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10Batch } from './cifar10';
import { cifar10Records, writeFakeCifar10 } from './cifar10-test-fixtures';
import { loadDataset } from './dataset-catalog';
import { DatasetError } from './dataset-error';
import { makeTempDir, removeDir } from './idx-test-fixtures';

function errorOf(body: () => unknown): DatasetError {
  try {
    body();
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('expected a DatasetError');
}

describe('parseCifar10Batch', () => {
  it('turns CHW records into HWC images and keeps labels', () => {
    const { images, labels, count } = parseCifar10Batch(cifar10Records([3, 7]), 'x.bin');
    expect(count).toBe(2);
    expect(Array.from(labels)).toEqual([3, 7]);
    // Record 1, pixel 0: R = 5, G = 8, B = 11; pixel 1: R = 6, G = 9, B = 12.
    expect(Array.from(images.subarray(3072, 3078))).toEqual([5, 8, 11, 6, 9, 12]);
    // Last pixel of record 0 (p = 1023): R = 1023 % 256, G = 1026 % 256, B = 1029 % 256.
    expect(Array.from(images.subarray(3069, 3072))).toEqual([255, 2, 5]);
  });

  it('rejects a size that is not whole records, naming the file and the leftover', () => {
    const bytes = cifar10Records([1, 2]).subarray(0, 2 * CIFAR10_RECORD_BYTES - 10);
    const err = errorOf(() => parseCifar10Batch(bytes, '/d/data_batch_2.bin'));
    expect(err.code).toBe('bad-shape');
    expect(err.file).toBe('/d/data_batch_2.bin');
    expect(err.message).toContain('6136 bytes');
    expect(err.message).toContain('1 whole records and 3063 bytes left over');
  });

  it('rejects a label above 9, naming the record', () => {
    const err = errorOf(() => parseCifar10Batch(cifar10Records([0, 1, 10]), 'test_batch.bin'));
    expect(err.code).toBe('bad-label');
    expect(err.message).toBe('CIFAR-10 file test_batch.bin has label 10 in record 2 (byte 6146): expected 0..9');
  });

  it('rejects an empty file', () => {
    expect(errorOf(() => parseCifar10Batch(new Uint8Array(0), 'e.bin')).message).toBe('CIFAR-10 file e.bin is empty');
  });
});

describe('loadCifar10', () => {
  let dir = '';
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('loads the five train batches in order and the test batch', () => {
    writeFakeCifar10(dir, 4, 3);
    const { train, test, source } = loadCifar10({ dataDir: dir });
    expect(train.count).toBe(20);
    expect(test.count).toBe(3);
    expect(train.imageShape).toEqual([32, 32, 3]);
    expect(train.images.length).toBe(20 * 3072);
    expect(Array.from(train.labels)).toEqual(Array.from({ length: 20 }, (_, i) => i % 10));
    expect(Array.from(test.labels)).toEqual([9, 8, 7]);
    expect(train.classNames[3]).toBe('cat');
    expect(source).toBe(`CIFAR-10 binary files in ${dir}`);
  });

  it('resolves through the registry as `cifar10`', () => {
    writeFakeCifar10(dir, 2, 2);
    const loaded = loadDataset('cifar10', { dataDir: dir });
    expect(loaded.info.name).toBe('CIFAR-10');
    expect(loaded.info.numClasses).toBe(10);
    expect(loaded.info.trainCount).toBe(10);
  });

  it('names a missing batch file', () => {
    writeFakeCifar10(dir);
    unlinkSync(join(dir, 'data_batch_4.bin'));
    const err = errorOf(() => loadCifar10({ dataDir: dir }));
    expect(err.code).toBe('missing-file');
    expect(err.file).toBe(join(dir, 'data_batch_4.bin'));
    expect(err.message).toContain('--data-dir');
  });

  it('reports a bad label inside one of several files', () => {
    writeFakeCifar10(dir);
    writeFileSync(join(dir, 'data_batch_3.bin'), cifar10Records([1, 200]));
    const err = errorOf(() => loadCifar10({ dataDir: dir }));
    expect(err.code).toBe('bad-label');
    expect(err.message).toContain(join(dir, 'data_batch_3.bin'));
    expect(err.message).toContain('label 200 in record 1');
  });

  it('says what to pass when no data directory is given, or it does not exist', () => {
    const none = errorOf(() => loadCifar10({}));
    expect(none.message).toMatch(/not bundled.*--data-dir.*data_batch_1\.bin/);
    const missing = errorOf(() => loadCifar10({ dataDir: join(dir, 'nope') }));
    expect(missing.message).toContain(`${join(dir, 'nope')} does not exist`);
  });
});
