import { describe, expect, it } from 'vitest';
import { methodTypes } from './fleet-descriptor';
import { FleetError } from './fleet-transport';
import { RestFleetTransport } from './rest-transport';

function fakeFetch(status: number, body: Uint8Array, seen: Array<{ url: string; init: RequestInit }> = []): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return new Response(body, { status });
  }) as unknown as typeof fetch;
}

describe('RestFleetTransport', () => {
  it('POSTs protobuf to /api/v0/fleet/<method> and validates the answer', async () => {
    const { response } = methodTypes('CreateNode');
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const t = new RestFleetTransport({ url: 'http://h:1/', fetch: fakeFetch(200, response.encode(response.fromObject({ node: { node_id: '12' } })).finish(), seen) });
    expect(await t.call('CreateNode', { ping_interval: 30 }, 1000)).toEqual({ node: { node_id: '12', anonymous: false } });
    expect(seen[0]!.url).toBe('http://h:1/api/v0/fleet/create-node');
    expect(seen[0]!.init.headers).toMatchObject({ 'Content-Type': 'application/protobuf', Accept: 'application/protobuf' });
  });

  it('sorts failures into retryable, rejected and protocol errors', async () => {
    const kind = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof FleetError ? e.kind : String(e)));
    const call = (f: typeof fetch) => new RestFleetTransport({ url: 'http://h:1', fetch: f }).call('PullTaskIns', { node: { node_id: '1', anonymous: false }, task_ids: [] }, 1000);
    expect(await kind(call(fakeFetch(503, new Uint8Array())))).toBe('unavailable');
    expect(await kind(call(fakeFetch(400, new TextEncoder().encode('Missing header'))))).toBe('rejected');
    expect(await kind(call(fakeFetch(200, Uint8Array.from([0xff, 0xff, 0xff]))))).toBe('protocol');
    expect(await kind(call((async () => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch))).toBe('unavailable');
  });
});
