/**
 * Every error the protocol can return, with its HTTP status. The code is the contract (clients
 * branch on it); the message is for people.
 */
export const ERROR_STATUS = {
  'bad-request': 400,
  'unsupported-protocol': 400,
  unauthorized: 401,
  'not-found': 404,
  'method-not-allowed': 405,
  'wrong-round': 409,
  'not-assigned': 409,
  'already-submitted': 409,
  'stale-update': 409,
  'body-too-large': 413,
  'unsupported-media-type': 415,
  'unknown-cell': 422,
  'missing-weights': 422,
  'bad-shape': 422,
  'bad-dtype': 422,
  'non-finite': 422,
  'update-norm': 422,
  'bad-examples': 422,
  'rate-limited': 429,
  internal: 500,
} as const;

/** One of the protocol's error codes (`bad-shape`, `non-finite`, …). */
export type FederationErrorCode = keyof typeof ERROR_STATUS;

/** Every error code, for clients that list or validate them. */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as FederationErrorCode[];

/** A protocol-level failure: what the server sends back and what a client raises on receiving it. */
export class FederationError extends Error {
  override readonly name = 'FederationError';

  constructor(
    readonly code: FederationErrorCode,
    message: string,
    /** Set by clients: how long the server asked to wait (429). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Whether a string is one of the protocol's error codes. */
export function isFederationErrorCode(code: unknown): code is FederationErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}
