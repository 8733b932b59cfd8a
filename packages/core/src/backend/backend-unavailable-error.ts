import type { BackendName } from './backend-name';

/** Thrown when an explicitly requested backend cannot be loaded. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';

  constructor(
    readonly backend: BackendName,
    /** One-line underlying cause (no stack). */
    readonly reason: string,
  ) {
    super(`Backend "${backend}" is unavailable: ${reason}`);
  }
}

/** First line of an error's message: causes from native loaders can be very long. */
export function oneLineReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? '';
  return firstLine.trim() || 'unknown error';
}
