export interface MeasuredCore {
  requested?: string;
  core?: string;
  failed?: string;
  error?: number;
  gflops?: number;
}
export const MIN_GAIN: number;
export const MAX_ERROR: number;
export const TIE: number;
export function pickBlasCore<T extends MeasuredCore>(own: MeasuredCore, candidates: readonly T[]): T | null;
