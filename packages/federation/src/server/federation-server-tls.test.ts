import { tf } from '@localbp/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederationServer, type RunningFederationServer } from './federation-server';
import { ServerStateDb } from './server-state-db';

const fixtures = path.dirname(fileURLToPath(import.meta.url));
// A self-signed certificate for localhost/127.0.0.1, committed for this test only.
const cert = readFileSync(path.join(fixtures, 'fixtures/localhost-cert.pem'));
const key = readFileSync(path.join(fixtures, 'fixtures/localhost-key.pem'));
const dir = mkdtempSync(path.join(tmpdir(), 'localbp-tls-'));
let server: RunningFederationServer;
let token: string;

function get(url: string, pathname: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(pathname, url), { method: 'GET', ca: cert, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  await tf.ready();
  const statePath = path.join(dir, 'state.db');
  const db = await ServerStateDb.open(statePath);
  token = await db.addClient('alice');
  db.close();
  server = await startFederationServer({
    statePath,
    config: { rounds: 1, model: { model: 'lbp', cells: [{ type: 'ae' }], width: 4, head: { hidden: [] } }, data: { dataset: 'tiny', imageShape: [2, 2, 1], numClasses: 2 } },
    tls: { cert, key },
    log: () => {},
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('federation server over TLS', () => {
  it('serves the protocol over HTTPS to a client that trusts the certificate, and still requires a token', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ok = await get(server.url, '/v1/status', { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ round: 0, totalRounds: 1, state: 'waiting', versions: { 'cell-1': 0, head: 0 } });
    const refused = await get(server.url, '/v1/status', {});
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('refuses a client that does not trust the certificate', async () => {
    const untrusted = new Promise((resolve, reject) => {
      const req = request(new URL('/v1/status', server.url), { method: 'GET', headers: { authorization: `Bearer ${token}` } }, resolve);
      req.on('error', reject);
      req.end();
    });
    await expect(untrusted).rejects.toThrow(/self.signed|certificate/i);
  });
});
