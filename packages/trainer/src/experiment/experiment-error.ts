/** The output directory holds runs made with other settings, or a run's files are unreadable. */
export class ExperimentError extends Error {
  override readonly name = 'ExperimentError';
}
