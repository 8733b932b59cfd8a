/** Bad flags or values: exit code 2, like commander's own usage errors. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Errors a user can fix (bad data file, bad checkpoint, unavailable backend): message only, no stack. */
const USER_ERROR_NAMES = new Set([
  'UsageError',
  'DatasetError',
  'CheckpointError',
  'ModelConfigError',
  'RegistryError',
  'BackendUnavailableError',
  'WeightMismatchError',
]);

export function isUserError(err: unknown): err is Error {
  return err instanceof Error && USER_ERROR_NAMES.has(err.name);
}

export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? 2 : 1;
}
