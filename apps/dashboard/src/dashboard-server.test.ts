import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startDashboardServer, type DashboardServer } from './index.js';

const PKG = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};
const EXPECTED_HEALTH = { ok: true, name: PKG.name, version: PKG.version };

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function rawRequest(url: string, method: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard server over plain HTTP', () => {
  let server: DashboardServer;

  beforeAll(async () => {
    server = await startDashboardServer({ port: 0 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('listens on 127.0.0.1 with an ephemeral port', () => {
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(Number(url.port)).not.toBe(4173);
  });

  it('reports this package in the health payload', () => {
    expect(EXPECTED_HEALTH.name).toBe('@localbp/dashboard');
  });

  it('answers GET /api/health with the package name and version', async () => {
    const res = await rawRequest(new URL('/api/health', server.url).href, 'GET');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual(EXPECTED_HEALTH);
  });

  it('answers unknown paths with a 404 JSON body', async () => {
    const res = await rawRequest(new URL('/no/such/page', server.url).href, 'GET');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: 'not found', path: '/no/such/page' });
  });

  it('rejects non-GET methods with 405 and an Allow header', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await rawRequest(server.url, method);
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET');
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: 'method not allowed', method });
    }
    const apiPost = await rawRequest(new URL('/api/health', server.url).href, 'POST');
    expect(apiPost.status).toBe(405);
  });

  it('rejects an invalid port', async () => {
    await expect(startDashboardServer({ port: 70_000 })).rejects.toThrow(RangeError);
  });

  it('close() is idempotent', async () => {
    const other = await startDashboardServer({ port: 0 });
    await Promise.all([other.close(), other.close()]);
    await expect(rawRequest(new URL('/api/health', other.url).href, 'GET')).rejects.toThrow();
  });
});

describe('dashboard page in headless Chromium', () => {
  let server: DashboardServer;
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = await startDashboardServer({ port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders the placeholder page', async () => {
    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    const response = await page.goto(server.url);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('localbp dashboard');
    expect((await page.locator('h1').textContent())?.trim()).toBe('localbp dashboard');
    const body = await page.locator('body').innerText();
    expect(body).toMatch(/runs will appear here/i);
    expect((await page.locator('#train-command').textContent())?.trim()).toBe(
      'pnpm localbp train --dataset mnist --model lbp',
    );
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('reaches /api/health from the page', async () => {
    const page = await browser!.newPage();
    await page.goto(server.url);
    const health = await page.evaluate(async () => {
      const res = await fetch('/api/health');
      return { status: res.status, json: (await res.json()) as unknown };
    });
    expect(health.status).toBe(200);
    expect(health.json).toEqual(EXPECTED_HEALTH);
    await page.close();
  });
});
