import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, NpyError } from './npy-codec';

// Bytes written by NumPy 1.24 (`np.save`) on this machine.
const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
const pad = (n: number) => '20'.repeat(n);
const NP_3X2_F4 = hex(`934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c2032292c207d${pad(58)}0a000000000000803f0000004000004040000080400000a040`);
const NP_2_F4 = hex(`934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d${pad(60)}0a0000c03f000000c0`);
const NP_SCALAR_F4 = hex(`934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d${pad(62)}0a00004040`);
const NP_2X3_F8_FORTRAN = hex(`934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2033292c207d${pad(59)}0a00000000000000000000000000000840000000000000f03f000000000000104000000000000000400000000000001440`);

describe('npy codec', () => {
  it('writes the bytes np.save writes', () => {
    expect(encodeNpy({ shape: [3, 2], values: Float32Array.from([0, 1, 2, 3, 4, 5]) })).toEqual(NP_3X2_F4);
    expect(encodeNpy({ shape: [2], values: Float32Array.from([1.5, -2]) })).toEqual(NP_2_F4);
    expect(encodeNpy({ shape: [], values: Float32Array.from([3]) })).toEqual(NP_SCALAR_F4);
  });

  it('reads float32, and float64 in Fortran order as float32 in C order', () => {
    expect(decodeNpy(NP_3X2_F4)).toEqual({ shape: [3, 2], values: Float32Array.from([0, 1, 2, 3, 4, 5]) });
    expect(decodeNpy(NP_SCALAR_F4)).toEqual({ shape: [], values: Float32Array.from([3]) });
    expect(decodeNpy(NP_2X3_F8_FORTRAN)).toEqual({ shape: [2, 3], values: Float32Array.from([0, 1, 2, 3, 4, 5]) });
  });

  it('round-trips and rejects what it cannot read', () => {
    const a = { shape: [2, 2, 3], values: Float32Array.from({ length: 12 }, (_, i) => i / 7) };
    expect(decodeNpy(encodeNpy(a))).toEqual(a);
    expect(() => decodeNpy(Uint8Array.from([1, 2, 3]))).toThrow(NpyError);
    expect(() => decodeNpy(NP_3X2_F4.subarray(0, NP_3X2_F4.length - 1))).toThrow(/needs 24/);
    const wrongType = Uint8Array.from(NP_2_F4);
    wrongType.set([0x3e, 0x63, 0x31], 0x15); // '<f4' → '>c1'
    expect(() => decodeNpy(wrongType)).toThrow(/unsupported .npy dtype/);
    expect(() => encodeNpy({ shape: [2], values: new Float32Array(3) })).toThrow(NpyError);
  });
});
