import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFlowerDir, freePort } from './flower-processes';

describe('flower test helpers', () => {
  it('look for Flower at ../shared/flower from the repository root, and find none elsewhere', () => {
    expect(findFlowerDir(join(mkdtempSync(join(tmpdir(), 'lbp-no-flower-')), 'repo'))).toBeUndefined();
  });

  it('hand out loopback ports nobody listens on', async () => {
    const [a, b] = [await freePort(), await freePort()];
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });
});
