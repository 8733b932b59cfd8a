import { encode } from 'fast-png';
import type { ValueRange } from '@localbp/core';

/** One row of a grid: `count` examples of `shape` each, flat in `values`. */
export interface GridRow {
  values: Float32Array | Int32Array | Uint8Array;
  count: number;
  /** Per-example shape: [H, W, C] (C 1 or 3) draws as images; anything else as a square tile of its values. */
  shape: readonly number[];
  range: ValueRange;
}

const GAP = 2;
const BACKGROUND = 48;

function tileOf(shape: readonly number[]): { height: number; width: number; channels: 1 | 3 } {
  if (shape.length === 3 && (shape[2] === 1 || shape[2] === 3)) {
    return { height: shape[0]!, width: shape[1]!, channels: shape[2] as 1 | 3 };
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const side = Math.max(1, Math.ceil(Math.sqrt(size)));
  return { height: side, width: side, channels: 1 };
}

/**
 * Draws rows of examples (e.g. inputs above reconstructions) as one PNG. Values in [0, 1] map to
 * 0-255 directly; unbounded values (latents) are min-max scaled per example so structure shows.
 */
export function imageGridPng(rows: readonly GridRow[]): Uint8Array {
  if (rows.length === 0) throw new RangeError('imageGridPng needs at least one row');
  const tiles = rows.map((r) => tileOf(r.shape));
  const channels = tiles.some((t) => t.channels === 3) ? 3 : 1;
  const tileW = Math.max(...tiles.map((t) => t.width));
  const tileH = Math.max(...tiles.map((t) => t.height));
  const columns = Math.max(...rows.map((r) => r.count));
  const width = columns * (tileW + GAP) + GAP;
  const height = rows.length * (tileH + GAP) + GAP;
  const data = new Uint8Array(width * height * channels).fill(BACKGROUND);
  rows.forEach((row, r) => {
    const tile = tiles[r]!;
    const size = row.shape.reduce((a, b) => a * b, 1);
    for (let n = 0; n < row.count; n++) {
      const offset = n * size;
      let lo = 0;
      let scale = 255;
      if (row.range === 'unbounded') {
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < size; i++) {
          const v = row.values[offset + i]!;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        lo = min;
        scale = max > min ? 255 / (max - min) : 0;
      }
      const x0 = GAP + n * (tileW + GAP);
      const y0 = GAP + r * (tileH + GAP);
      for (let i = 0; i < tile.height * tile.width; i++) {
        const y = y0 + Math.floor(i / tile.width);
        const x = x0 + (i % tile.width);
        const pixel = (y * width + x) * channels;
        for (let c = 0; c < channels; c++) {
          const source = i * tile.channels + (tile.channels === 3 ? c : 0);
          const v = source < size ? row.values[offset + source]! : lo;
          data[pixel + c] = Math.max(0, Math.min(255, Math.round((v - lo) * scale)));
        }
      }
    }
  });
  return encode({ width, height, data, channels, depth: 8 });
}
