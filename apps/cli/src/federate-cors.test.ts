import { afterAll, describe, expect, it } from 'vitest';
import { runCli, STACK_LINE, tempDir } from './cli-test-helpers';
import { provision, startServe, statePathIn, TINY_MODEL } from './federate-test-helpers';

const TEST_TIMEOUT_MS = 300_000;
const tmp = tempDir('federate-cors');
afterAll(tmp.cleanup);

/** The preflight a browser sends before uploading an update (Node's fetch lets a test set Origin). */
function preflight(url: string, origin: string): Promise<Response> {
  const requested = 'authorization, content-type, idempotency-key';
  return fetch(new URL('/v1/update', url), { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requested } });
}

describe('localbp federate serve --cors-origin', () => {
  it('lets the listed browser origins call the server, and no other', async () => {
    const state = statePathIn(tmp.dir);
    await provision(state, 1);
    const { proc, url } = await startServe(state, [...TINY_MODEL, '--rounds', '1', '--cors-origin', 'https://lab.example.org', '--cors-origin', 'http://127.0.0.1:5173/']);
    try {
      expect(proc.stderr).toContain('browser pages allowed (CORS): https://lab.example.org, http://127.0.0.1:5173');
      for (const origin of ['https://lab.example.org', 'http://127.0.0.1:5173']) {
        const res = await preflight(url, origin);
        expect(res.status).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe(origin);
        expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST');
        expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type, idempotency-key');
        expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      }
      const refused = await preflight(url, 'https://evil.example.net');
      expect(refused.status).toBe(204);
      expect([...refused.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.done;
    }
  }, TEST_TIMEOUT_MS);

  it('refuses wildcards and origins with a path, as usage errors', async () => {
    const cases: Array<[string, RegExp]> = [
      ['*', /--cors-origin: CORS origin "\*": wildcards are not accepted/],
      ['https://lab.example.org/app', /did you mean https:\/\/lab\.example\.org\?/],
    ];
    for (const [origin, message] of cases) {
      const res = await runCli(['federate', 'serve', '--state', statePathIn(tmp.dir, 'usage.db'), ...TINY_MODEL, '--cors-origin', origin]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(STACK_LINE);
    }
  }, TEST_TIMEOUT_MS);
});
