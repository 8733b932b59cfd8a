import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bareImportsReachableFrom } from '../../../browser-entry.shared';

// Browser bundles get dist/browser.js: the REST SuperNode, reaching no Node module and not gRPC.
describe('@localbp/flower browser entry', () => {
  it('reaches no Node module and no gRPC', () => {
    const bare = bareImportsReachableFrom(fileURLToPath(new URL('../dist/browser.js', import.meta.url)));
    expect(bare.filter((m) => m.startsWith('node:') || m.startsWith('@grpc/'))).toEqual([]);
    expect(bare).toContain('protobufjs');
  });

  it('is part of the main entry, which adds gRPC', async () => {
    const [browser, main] = await Promise.all([import('./browser'), import('./index')]);
    expect(Object.keys(main)).toEqual(expect.arrayContaining([...Object.keys(browser), 'GrpcFleetTransport']));
    expect(Object.keys(browser)).not.toContain('GrpcFleetTransport');
  });
});
