import { describe, expect, it } from 'vitest';
import { FEDERATION_MODES } from './index';

describe('federation modes', () => {
  it('names both readings of federated LBP', () => {
    expect(FEDERATION_MODES).toEqual(['data-parallel', 'cell-distributed']);
  });
});
