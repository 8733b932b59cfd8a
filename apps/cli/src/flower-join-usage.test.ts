import { describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from './cli-test-helpers';

describe('localbp flower join: usage errors', () => {
  it.each([
    [['--superlink', 'not an address'], /--superlink must be HOST:PORT/],
    [['--superlink', '127.0.0.1:9092', '--partition', 'iid'], /--partition needs --clients and --client-index/],
    [['--superlink', '127.0.0.1:9092', '--idle-exit', '0'], /--idle-exit must be an integer ≥ 1/],
    [['--superlink', '127.0.0.1:9092', '--cells', 'nope'], /nope/],
  ])('%j exits 2 with one message', async (args, message) => {
    const r = await runCli(['flower', 'join', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
