import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FederationClient, ServerUnreachableError } from './federation-client';

describe('FederationClient request timeouts', () => {
  // A loopback server that accepts every connection and never answers.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('aborts a request the server never answers, retries it with backoff, and gives up after giveUpMs', async () => {
    const lines: string[] = [];
    const client = new FederationClient({ server: url, token: 't', requestTimeoutMs: 200, backoff: { initialMs: 50, maxMs: 100, giveUpMs: 600 }, log: (m) => lines.push(m) });
    const started = Date.now();
    const error = await client.poll().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as Error).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/v1\/task failed for \d+ s \(no answer within 200 ms\); giving up$/);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^GET \/task: no answer within 200 ms; retry 1 in \d+ ms$/);
    // Bounded: the give-up time plus at most one more timed-out attempt and a backoff.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a heartbeat to a silent server fails after its own timeout instead of hanging', async () => {
    const client = new FederationClient({ server: url, token: 't', requestTimeoutMs: 150 });
    const started = Date.now();
    await expect(client.heartbeat({ status: 'idle' })).rejects.toThrow(/aborted|timeout/i);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
