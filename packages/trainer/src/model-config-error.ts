/** One line for a user: zod's issues as `path: message`, anything else by its message. */
export function describeError(err: unknown): string {
  if (err instanceof Error && err.name === 'ZodError' && 'issues' in err && Array.isArray(err.issues)) {
    return (err.issues as Array<{ path: PropertyKey[]; message: string }>)
      .map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`)
      .join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

/** A shape mismatch or bad cell configuration, reported before any training starts. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}
