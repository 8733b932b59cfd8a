/** Bad flags or values: exit code 2, like commander's own usage errors. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A simulated federation that cannot go on (every client process died): exit code 1, message only. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

/** Errors a user can fix (bad data file, bad checkpoint, unavailable backend): message only, no stack. */
const USER_ERROR_NAMES = new Set([
  'UsageError',
  'DatasetError',
  'CheckpointError',
  'ModelConfigError',
  'RegistryError',
  'PluginLoadError',
  'ConfigFileError',
  'BackendUnavailableError',
  'WeightMismatchError',
  'ExperimentError',
  'RunStoreError',
  'FederationError',
  'FleetError',
  'NpyError',
  'RecordSetError',
  'ServerStateError',
  'ServerUnreachableError',
  'AggregatorError',
  'SimulationError',
  'PipelineStageError',
]);

/** Node's fs errors (ENOENT, EACCES, ENOTDIR, ENOSPC…) come from paths the user chose, e.g. --out. */
function isSystemError(err: Error): boolean {
  const { code, syscall } = err as NodeJS.ErrnoException;
  return typeof code === 'string' && typeof syscall === 'string';
}

export function isUserError(err: unknown): err is Error {
  return err instanceof Error && (USER_ERROR_NAMES.has(err.name) || isSystemError(err));
}

export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? 2 : 1;
}
