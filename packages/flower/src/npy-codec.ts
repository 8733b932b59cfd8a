/** NumPy `.npy` (format 1.0–3.0) for the arrays Flower's NumPy clients exchange. */

/** A dense array in C order. */
export interface NpyArray {
  shape: number[];
  values: Float32Array;
}

/** Bytes that are not `.npy` this codec can read, or an array it cannot write. */
export class NpyError extends Error {
  override name = 'NpyError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Little-endian dtypes we read; every one becomes float32 (what the model holds). */
const READERS: Record<string, { size: number; read: (view: DataView, offset: number) => number }> = {
  '<f4': { size: 4, read: (v, o) => v.getFloat32(o, true) },
  '<f8': { size: 8, read: (v, o) => v.getFloat64(o, true) },
  '<i4': { size: 4, read: (v, o) => v.getInt32(o, true) },
  '<i8': { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  '|u1': { size: 1, read: (v, o) => v.getUint8(o) },
  '|i1': { size: 1, read: (v, o) => v.getInt8(o) },
};

function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  // The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError(`malformed .npy header: ${text.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+$/.test(s)) throw new NpyError(`malformed .npy shape (${shapeText})`);
      return Number(s);
    });
  return { descr, fortran: fortran === 'True', shape };
}

/** Reads `.npy` bytes (little-endian numeric dtypes, C or Fortran order) as float32 in C order. */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError('not .npy data (bad magic string)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new NpyError(`unsupported .npy format version ${major}`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new NpyError('truncated .npy header');
  const header = parseHeader(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart)));
  const reader = READERS[header.descr];
  if (!reader) throw new NpyError(`unsupported .npy dtype ${header.descr} (supported: ${Object.keys(READERS).join(', ')})`);
  const count = header.shape.reduce((a, b) => a * b, 1);
  if (bytes.length - dataStart !== count * reader.size) {
    throw new NpyError(`.npy data holds ${bytes.length - dataStart} bytes, shape (${header.shape.join(', ')}) of ${header.descr} needs ${count * reader.size}`);
  }
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = reader.read(view, dataStart + i * reader.size);
  return { shape: header.shape, values: header.fortran ? fortranToC(values, header.shape) : values };
}

function fortranToC(values: Float32Array, shape: number[]): Float32Array {
  const out = new Float32Array(values.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < values.length; c++) {
    let f = 0;
    let stride = 1;
    for (let d = 0; d < rank; d++) {
      f += index[d]! * stride;
      stride *= shape[d]!;
    }
    out[c] = values[f]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Writes float32 little-endian C-order `.npy` (format 1.0) exactly as `np.save` lays it out. */
export function encodeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.values.length) throw new NpyError(`shape (${array.shape.join(', ')}) needs ${count} values, got ${array.values.length}`);
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // NumPy pads with spaces and ends with \n so that the data starts on a 64-byte boundary.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + count * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const data = new DataView(out.buffer, total);
  for (let i = 0; i < count; i++) data.setFloat32(i * 4, array.values[i]!, true);
  return out;
}
