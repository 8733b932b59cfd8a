import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { parseFashionJson } from './fashion-mnist-json';

const image = (fill: number): number[] => new Array<number>(784).fill(fill);

function parseError(content: string): DatasetError {
  try {
    parseFashionJson(content, '/pkg/3.json');
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('expected parseFashionJson to fail');
}

describe('parseFashionJson', () => {
  it('packs images into one Uint8Array, from bytes or string', () => {
    const json = JSON.stringify({ data: [image(1), image(255)] });
    for (const content of [json, new TextEncoder().encode(json)]) {
      const parsed = parseFashionJson(content, 'x.json');
      expect(parsed.count).toBe(2);
      expect(parsed.images.length).toBe(1568);
      expect(parsed.images[0]).toBe(1);
      expect(parsed.images[1567]).toBe(255);
      expect(parsed.skippedEmpty).toEqual([]);
    }
  });

  it('skips empty entries and reports where they were', () => {
    const parsed = parseFashionJson(JSON.stringify({ data: [image(1), [], image(2)] }), 'x.json');
    expect(parsed.count).toBe(2);
    expect(parsed.skippedEmpty).toEqual([1]);
    expect(parsed.images[784]).toBe(2);
  });

  it('rejects corrupt JSON, naming the file', () => {
    const err = parseError('{"data": [[0, 1, 2');
    expect(err.code).toBe('bad-json');
    expect(err.file).toBe('/pkg/3.json');
    expect(err.message).toMatch(/^Fashion-MNIST file \/pkg\/3\.json is not valid JSON: /);
  });

  it('rejects JSON without a data array', () => {
    expect(parseError('[1, 2]').message).toContain('should be an object with a "data" array');
    expect(parseError('{"data": 3}').code).toBe('bad-json');
  });

  it('rejects an image that is not an array', () => {
    expect(parseError(JSON.stringify({ data: [image(0), 'x'] })).message).toBe(
      'Fashion-MNIST file /pkg/3.json: image 1 is not an array of pixels',
    );
  });

  it('rejects an image of the wrong length, naming its index', () => {
    expect(parseError(JSON.stringify({ data: [image(0), image(0).slice(1)] })).message).toBe(
      'Fashion-MNIST file /pkg/3.json: image 1 has 783 values, expected 784 (28x28)',
    );
  });

  it.each([
    [256, '256'],
    [-1, '-1'],
    [1.5, '1.5'],
    ['7', '"7"'],
    [null, 'null'],
  ])('rejects pixel value %s', (value, shown) => {
    const bad: unknown[] = image(0);
    bad[40] = value;
    expect(parseError(JSON.stringify({ data: [image(0), image(0), bad] })).message).toBe(
      `Fashion-MNIST file /pkg/3.json: image 2, pixel 40 is ${shown}, expected an integer 0..255`,
    );
  });
});
