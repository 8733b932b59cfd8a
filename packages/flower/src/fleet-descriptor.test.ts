import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without types
import { loadVendoredRoot } from '../scripts/build-descriptor.mjs';
import { decodeResponse, encodeRequest, fleetDescriptor, methodTypes } from './fleet-descriptor';
import { validateResponse } from './fleet-transport';

describe('fleet descriptor', () => {
  it('is the vendored Flower 1.10 protos (run `pnpm proto` after changing them)', () => {
    expect(JSON.parse(JSON.stringify((loadVendoredRoot() as { toJSON(): unknown }).toJSON()))).toEqual(fleetDescriptor);
  });

  it('keeps 64-bit node ids exact and rejects malformed responses', () => {
    const id = '-9007199254740993'; // beyond 2^53: would round as a JS number
    const bytes = encodeRequest('DeleteNode', { node: { node_id: id, anonymous: false } });
    const { request } = methodTypes('DeleteNode');
    expect((request.toObject(request.decode(bytes), { longs: String }) as { node: { node_id: string } }).node.node_id).toBe(id);
    const { response } = methodTypes('CreateNode');
    const created = response.encode(response.fromObject({ node: { node_id: id } })).finish();
    expect(validateResponse('CreateNode', decodeResponse('CreateNode', created)).node.node_id).toBe(id);
    expect(() => validateResponse('CreateNode', decodeResponse('CreateNode', new Uint8Array()))).toThrow(/malformed response/);
  });
});
