import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './dataset-error';

/** A parsed IDX file. Only unsigned-byte data is supported: that is all MNIST-style files use. */
export interface IdxArray {
  dims: number[];
  /** Row-major data; a view into the file's bytes, length = product(dims). */
  data: Uint8Array;
}

/** What error messages about an IDX file should say. */
export interface IdxParseOptions {
  /** Path shown in error messages. */
  file: string;
  /** Dataset name shown in error messages, e.g. 'MNIST' gives "MNIST file /x is truncated…". */
  label?: string;
  /** What the first dimension counts, e.g. 'images' gives "(60000 images of 28x28)". */
  itemNoun?: string;
  /** Set when the bytes were gunzipped, so sizes in messages are not mistaken for the .gz size. */
  decompressed?: boolean;
}

const UBYTE = 0x08;
const IDX_DTYPE_NAMES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

function hex(byte: number | undefined): string {
  return `0x${(byte ?? 0).toString(16).padStart(2, '0')}`;
}

function describeDims(dims: readonly number[], itemNoun: string): string {
  const [first, ...rest] = dims;
  if (rest.length === 0) return `${first} ${itemNoun}`;
  return `${first} ${itemNoun} of ${rest.join('x')}`;
}

/** Parses IDX bytes (magic 0x00 0x00 dtype ndims, big-endian uint32 dims, data), validating sizes exactly. */
export function parseIdx(bytes: Uint8Array, options: IdxParseOptions): IdxArray {
  const { file } = options;
  const what = `${options.label ? `${options.label} file` : 'IDX file'} ${file}`;
  const found = `found ${bytes.length}${options.decompressed ? ' (after gunzip)' : ''}`;

  if (bytes.length < 4) {
    throw new DatasetError('truncated', `${what} is truncated: expected at least a 4-byte IDX header, ${found} bytes`, file);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError(
      'bad-magic',
      `${what} has wrong magic bytes ${hex(bytes[0])} ${hex(bytes[1])}: expected 0x00 0x00 (IDX format); is it an IDX file?`,
      file,
    );
  }
  const dtype = bytes[2] ?? 0;
  if (dtype !== UBYTE) {
    const name = IDX_DTYPE_NAMES[dtype] ?? 'unknown';
    throw new DatasetError(
      'bad-dtype',
      `${what} has data type ${hex(dtype)} (${name}): expected 0x08 (unsigned byte)`,
      file,
    );
  }
  const ndims = bytes[3] ?? 0;
  if (ndims === 0) {
    throw new DatasetError('bad-shape', `${what} declares 0 dimensions: expected at least 1`, file);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      'truncated',
      `${what} is truncated: the header of a ${ndims}-dimensional IDX file needs ${headerBytes} bytes, ${found}`,
      file,
    );
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  // Float product: absurd dims from a corrupt header just fail the size check below.
  const dataBytes = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + dataBytes;
  const sizeNote = `expected ${expected} bytes (${describeDims(dims, options.itemNoun ?? 'items')}), ${found}`;
  if (bytes.length < expected) {
    throw new DatasetError('truncated', `${what} is truncated: ${sizeNote}`, file);
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      'extra-bytes',
      `${what} has ${bytes.length - expected} extra bytes after the data: ${sizeNote}`,
      file,
    );
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, dataBytes) };
}

/** True when the bytes start with the gzip magic 0x1f 0x8b (IDX files start with 0x00 0x00, so no clash). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/** Reads and parses an IDX file, gunzipping it when the name ends in .gz or the bytes are gzip. */
export function readIdxFile(path: string, options: Omit<IdxParseOptions, 'file' | 'decompressed'> = {}): IdxArray {
  const what = `${options.label ? `${options.label} file` : 'IDX file'} ${path}`;
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError('missing-file', `${what} does not exist`, path, { cause: err });
    throw new DatasetError('unreadable-file', `${what} could not be read: ${String(err)}`, path, { cause: err });
  }
  if (!path.endsWith('.gz') && !isGzip(raw)) return parseIdx(raw, { ...options, file: path });

  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(raw);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatasetError('corrupt-gzip', `${what} is not valid gzip data: ${reason}`, path, { cause: err });
  }
  return parseIdx(bytes, { ...options, file: path, decompressed: true });
}
