/** What went wrong, so callers and tests can tell failures apart without parsing messages. */
export type DatasetErrorCode =
  | 'missing-file'
  | 'missing-package'
  | 'unreadable-file'
  | 'corrupt-gzip'
  | 'bad-magic'
  | 'bad-dtype'
  | 'bad-shape'
  | 'truncated'
  | 'extra-bytes'
  | 'bad-label'
  | 'count-mismatch'
  | 'bad-json'
  | 'unknown-dataset'
  | 'bad-argument';

/**
 * Every problem with dataset files or loader arguments. Messages name the file
 * and what is wrong, because users mostly see these from the CLI.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly code: DatasetErrorCode;
  /** The file the problem is about; undefined when it is not about one file. */
  readonly file: string | undefined;

  constructor(code: DatasetErrorCode, message: string, file?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.file = file;
  }
}
