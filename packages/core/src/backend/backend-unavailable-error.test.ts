import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, oneLineReason } from './backend-unavailable-error';

describe('BackendUnavailableError', () => {
  it('names the backend and the reason', () => {
    const error = new BackendUnavailableError('tensorflow', 'native library missing');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('BackendUnavailableError');
    expect(error.backend).toBe('tensorflow');
    expect(error.message).toBe('Backend "tensorflow" is unavailable: native library missing');
  });

  it('keeps only the first non-blank line of a cause', () => {
    const nativeAddonError = new Error(
      '\nThe Node.js native addon module (tfjs_binding.node) can not be found at path: /x/tfjs_binding.node. \n' +
        "Please run command 'npm rebuild @tensorflow/tfjs-node --build-addon-from-source' to rebuild it.",
    );
    expect(oneLineReason(nativeAddonError)).toBe(
      'The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/tfjs_binding.node.',
    );
    expect(oneLineReason('plain string')).toBe('plain string');
    expect(oneLineReason(new Error(''))).toBe('unknown error');
  });
});
