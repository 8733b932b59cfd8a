import { z } from 'zod';
import { FederationError } from './federation-error';
import { shapeSize, type WeightArray } from './weight-array';

/**
 * Binary frame: a JSON header (the message plus a table of tensors) followed by little-endian
 * float32 payloads. Layout (see PROTOCOL.md):
 *
 *   0  4 bytes  ASCII "LBPF"
 *   4  u32 LE   header length H
 *   8  H bytes  UTF-8 JSON {"message": {...}, "tensors": [{"name","dtype":"float32","shape":[...]}]}
 *      0-3 zero bytes so the payload starts at a multiple of 4
 *      payload  each tensor's values in table order, float32 little-endian, no gaps
 */
export const FRAME_MAGIC = 'LBPF';
/** HTTP content type of a frame body. */
export const FRAME_CONTENT_TYPE = 'application/vnd.localbp.frame';
/** Headers are small; a huge one is an attack or a bug. */
export const MAX_FRAME_HEADER_BYTES = 1 << 20;
const MAX_RANK = 8;

const tensorEntrySchema = z
  .object({
    name: z.string().min(1).max(256),
    dtype: z.string(),
    shape: z.array(z.number().int().nonnegative().max(2 ** 31)).max(MAX_RANK),
  })
  .strict();

const frameHeaderSchema = z
  .object({
    message: z.unknown(),
    tensors: z.array(tensorEntrySchema).max(10_000),
  })
  .strict();

/** A decoded frame: its JSON message (not yet validated) and its tensors. */
export interface Frame {
  message: unknown;
  tensors: WeightArray[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes a message and named float32 tensors into one frame (layout above). */
export function encodeFrame(message: unknown, tensors: readonly WeightArray[]): Uint8Array<ArrayBuffer> {
  for (const t of tensors) {
    if (t.values.length !== shapeSize(t.shape)) {
      throw new RangeError(`tensor ${t.name}: ${t.values.length} values do not fill shape [${t.shape.join(', ')}]`);
    }
  }
  const header = encoder.encode(
    JSON.stringify({ message, tensors: tensors.map((t) => ({ name: t.name, dtype: 'float32', shape: t.shape })) }),
  );
  const payloadStart = align4(8 + header.length);
  const total = payloadStart + tensors.reduce((n, t) => n + t.values.length * 4, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(encoder.encode(FRAME_MAGIC), 0);
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  let offset = payloadStart;
  for (const t of tensors) {
    if (littleEndianHost) {
      out.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), offset);
    } else {
      for (let i = 0; i < t.values.length; i++) view.setFloat32(offset + 4 * i, t.values[i]!, true);
    }
    offset += t.values.byteLength;
  }
  return out;
}

/** Parses a frame, checking every length against the bytes actually present; never trusts the header. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const bad = (why: string) => new FederationError('bad-request', `malformed frame: ${why}`);
  if (bytes.length < 8) throw bad(`${bytes.length} bytes is shorter than the 8-byte preamble`);
  if (decoder.decode(bytes.subarray(0, 4)) !== FRAME_MAGIC) throw bad('it does not start with "LBPF"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (headerLength > MAX_FRAME_HEADER_BYTES) throw bad(`header of ${headerLength} bytes exceeds ${MAX_FRAME_HEADER_BYTES}`);
  if (8 + headerLength > bytes.length) throw bad(`header length ${headerLength} runs past the end of the body`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes.subarray(8, 8 + headerLength)));
  } catch (err) {
    throw bad(`header is not UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const header = frameHeaderSchema.safeParse(parsed);
  if (!header.success) throw bad(`header: ${header.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const names = new Set<string>();
  let offset = align4(8 + headerLength);
  const tensors: WeightArray[] = [];
  for (const entry of header.data.tensors) {
    if (entry.dtype !== 'float32') throw new FederationError('bad-dtype', `tensor ${entry.name} has dtype ${entry.dtype}; only float32 is accepted`);
    if (names.has(entry.name)) throw bad(`tensor ${entry.name} appears twice`);
    names.add(entry.name);
    const byteLength = shapeSize(entry.shape) * 4;
    if (offset + byteLength > bytes.length) throw bad(`tensor ${entry.name} [${entry.shape.join(', ')}] runs past the end of the body`);
    const values = new Float32Array(byteLength / 4);
    if (littleEndianHost) {
      new Uint8Array(values.buffer).set(bytes.subarray(offset, offset + byteLength));
    } else {
      for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(offset + 4 * i, true);
    }
    tensors.push({ name: entry.name, shape: entry.shape, values });
    offset += byteLength;
  }
  if (offset !== bytes.length) throw bad(`${bytes.length - offset} bytes follow the last tensor`);
  return { message: header.data.message, tensors };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
