/** A store that cannot be opened or used: not SQLite, not ours, too new, or a bad location. */
export class RunStoreError extends Error {
  override readonly name = 'RunStoreError';
}
