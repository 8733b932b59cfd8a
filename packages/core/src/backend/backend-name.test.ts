import { describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, isBackendChoice, parseBackendChoice } from './backend-name';

describe('parseBackendChoice', () => {
  it('accepts every choice, ignoring case and blanks', () => {
    for (const choice of BACKEND_CHOICES) expect(parseBackendChoice(` ${choice.toUpperCase()} `)).toBe(choice);
  });

  it('lists the valid choices when rejecting input', () => {
    expect(() => parseBackendChoice('webgl')).toThrow(
      'Unknown backend "webgl". Valid choices: auto, tensorflow, native, wasm, cpu.',
    );
  });

  it('guards unknown values', () => {
    expect(isBackendChoice('wasm')).toBe(true);
    expect(isBackendChoice('node')).toBe(false);
    expect(isBackendChoice(3)).toBe(false);
  });
});
