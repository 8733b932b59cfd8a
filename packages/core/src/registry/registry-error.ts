/** A registry lookup or registration failed; the message lists what is registered. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}
