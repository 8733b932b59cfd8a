import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { decodePngImage, isPng } from './png-image';

describe('decodePngImage', () => {
  it('reads an 8-bit gray PNG as the HWC bytes it holds', () => {
    const pixels = Uint8Array.from({ length: 6 }, (_, i) => i * 40);
    const png = encode({ width: 3, height: 2, data: pixels, channels: 1, depth: 8 });
    expect(isPng(png)).toBe(true);
    expect([...decodePngImage(png, [2, 3, 1])]).toEqual([...pixels]);
  });

  it('turns RGBA into gray by luminance, 16-bit into 8-bit, and gray into RGB', () => {
    const rgba = encode({ width: 1, height: 2, data: Uint8Array.from([255, 0, 0, 255, 0, 0, 255, 10]), channels: 4, depth: 8 });
    expect([...decodePngImage(rgba, [2, 1, 1])]).toEqual([76, 29]);
    const deep = encode({ width: 2, height: 1, data: Uint16Array.from([65535, 257 * 100]), channels: 1, depth: 16 });
    expect([...decodePngImage(deep, [1, 2, 1])]).toEqual([255, 100]);
    expect([...decodePngImage(deep, [1, 2, 3])]).toEqual([255, 255, 255, 100, 100, 100]);
  });

  it('refuses a wrong size and non-PNG bytes with the file named', () => {
    const png = encode({ width: 3, height: 2, data: new Uint8Array(6), channels: 1, depth: 8 });
    expect(() => decodePngImage(png, [28, 28, 1], 'digit.png')).toThrow('digit.png is 3x2; the model takes 28x28 images');
    expect(() => decodePngImage(new Uint8Array([0, 0, 8, 3]), [28, 28, 1], 'x.idx')).toThrow(DatasetError);
    expect(() => decodePngImage(new Uint8Array([0, 0, 8, 3]), [28, 28, 1], 'x.idx')).toThrow('x.idx is not a PNG file');
  });
});
