import { describe, expect, it } from 'vitest';
import { FederationError } from './federation-error';
import { decodeFrame, encodeFrame } from './frame';

const tensors = [
  { name: 'cell-1/encoder/kernel', shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 1e-30, -0, 6]) },
  { name: 'head/bias', shape: [1], values: Float32Array.from([Math.PI]) },
  { name: 'empty', shape: [0, 4], values: new Float32Array(0) },
];

describe('binary frames', () => {
  it('round-trips the message and every tensor bit for bit', () => {
    const bytes = encodeFrame({ type: 'update', round: 3, note: 'ünïcode' }, tensors);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('LBPF');
    const headerLength = new DataView(bytes.buffer).getUint32(4, true);
    // The payload is 4-byte aligned and holds exactly the floats.
    expect(bytes.length - ((8 + headerLength + 3) & ~3)).toBe(7 * 4);
    const frame = decodeFrame(bytes);
    expect(frame.message).toEqual({ type: 'update', round: 3, note: 'ünïcode' });
    expect(frame.tensors.map((t) => [t.name, t.shape, Array.from(t.values)])).toEqual(
      tensors.map((t) => [t.name, t.shape, Array.from(t.values)]),
    );
  });

  it('stores floats little-endian at the documented offset', () => {
    const bytes = encodeFrame({}, [{ name: 'x', shape: [1], values: Float32Array.from([1]) }]);
    // 1.0f = 0x3f800000 → bytes 00 00 80 3f at the end.
    expect(Array.from(bytes.subarray(bytes.length - 4))).toEqual([0, 0, 0x80, 0x3f]);
  });

  it('rejects malformed bodies with a reason, never trusting the header', () => {
    const good = encodeFrame({ a: 1 }, tensors);
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array([1, 2, 3]), /shorter than the 8-byte preamble/],
      [new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), /does not start with "LBPF"/],
      [good.subarray(0, good.length - 4), /runs past the end of the body/],
      [Uint8Array.from([...good, 0, 0, 0, 0]), /4 bytes follow the last tensor/],
    ];
    const hugeHeader = good.slice();
    new DataView(hugeHeader.buffer).setUint32(4, 0xffffff00, true);
    cases.push([hugeHeader, /exceeds/]);
    const notJson = good.slice();
    notJson[8] = 0x7b + 1;
    cases.push([notJson, /header is not UTF-8 JSON/]);
    for (const [bytes, why] of cases) {
      expect(() => decodeFrame(bytes)).toThrow(why);
      try {
        decodeFrame(bytes);
      } catch (err) {
        expect((err as FederationError).code).toBe('bad-request');
      }
    }
  });

  it('refuses other dtypes and duplicate names', () => {
    const encoded = encodeFrame({}, [{ name: 'x', shape: [1], values: Float32Array.from([1]) }]);
    const text = new TextDecoder().decode(encoded);
    const swapped = new TextEncoder().encode(text.replace('"float32"', '"float64"'));
    expect(() => decodeFrame(swapped)).toThrow(FederationError);
    expect(() => decodeFrame(swapped)).toThrow(/dtype float64; only float32/);
    const twice = encodeFrame({}, [
      { name: 'x', shape: [1], values: Float32Array.from([1]) },
      { name: 'x', shape: [1], values: Float32Array.from([2]) },
    ]);
    expect(() => decodeFrame(twice)).toThrow(/appears twice/);
  });
});
