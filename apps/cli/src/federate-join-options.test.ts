import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, STACK_LINE, waitForStderr } from './cli-test-helpers';

describe('localbp federate join --request-timeout', () => {
  it('is in the help with its default', async () => {
    const help = await runCli(['federate', 'join', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--request-timeout <s> longest wait for one answer of the server, in seconds.*\(default: "120"\)/);
  });

  it.each(['0', '-3', 'soon', '90000', ''])('refuses %j with a one-line usage error', async (value) => {
    const res = await runCli(['federate', 'join', '--server', 'http://127.0.0.1:9', '--token', 'lbp_x', '--request-timeout', value]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`--request-timeout must be a number of seconds in \\(0, 86400\\], got "${value}"`));
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it('aborts and retries a request the server accepts but never answers, after the given time', async () => {
    // A TCP server that takes the connection and says nothing: only the client's timeout can end the request.
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const join = startCli(['federate', 'join', '--server', `http://127.0.0.1:${port}`, '--token', 'lbp_x', '--train-limit', '50', '--request-timeout', '1.5']);
    try {
      await waitForStderr(join, /POST \/join: no answer within 1500 ms; retry 2 in \d+ ms/, 120_000);
      expect(sockets.length).toBeGreaterThanOrEqual(2);
    } finally {
      join.child.kill('SIGKILL');
      await join.done;
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 180_000);
});
