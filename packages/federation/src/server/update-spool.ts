import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Where one spooled update lies in its file: float32 values from `offset` (bytes), `length` of them. */
export interface SpoolEntry {
  offset: number;
  length: number;
}

/**
 * An append-only file of the round's accepted updates (raw float32, one entry per update and unit), so the
 * server keeps running sums and statistics in memory rather than every update: what cannot be streamed (a
 * correction for a capped or clipped FedAvg update, the median's columns, Multi-Krum's distances) is read back.
 * Removed when the round closes; a killed server's leftovers are removed when the next one starts.
 */
export class UpdateSpool {
  private fd: number | null;
  private size = 0;
  readonly file: string;

  constructor(dir: string, name: string) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, name);
    this.fd = openSync(this.file, 'w+');
  }

  /** Appends the values of every array in order, as one entry. */
  append(arrays: readonly Float32Array[]): SpoolEntry {
    const entry = { offset: this.size, length: arrays.reduce((n, a) => n + a.length, 0) };
    for (const a of arrays) {
      let written = 0;
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      while (written < bytes.length) written += writeSync(this.descriptor(), bytes, written, bytes.length - written, this.size + written);
      this.size += bytes.length;
    }
    return entry;
  }

  /** Reads `out.length` values of an entry starting at value `start` into `out`. */
  read(entry: SpoolEntry, out: Float32Array, start = 0): Float32Array {
    if (start < 0 || start + out.length > entry.length) throw new RangeError(`spool read ${start}+${out.length} outside an entry of ${entry.length}`);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.descriptor(), bytes, done, bytes.length - done, entry.offset + start * 4 + done);
      if (n === 0) throw new RangeError(`spool ${this.file} ends early`);
      done += n;
    }
    return out;
  }

  /** Closes and deletes the file. */
  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.file, { force: true });
  }

  private descriptor(): number {
    if (this.fd === null) throw new Error(`spool ${this.file} is closed`);
    return this.fd;
  }
}

/** Deletes a spool directory left by a killed server (its round was lost with it). */
export function clearSpoolDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
