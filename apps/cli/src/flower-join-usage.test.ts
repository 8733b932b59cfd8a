import { describe, expect, it } from 'vitest';
import { freePort } from '@localbp/flower/testing';
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

  it('gives up on a SuperLink nobody runs after --retry-for, exit 1 and one message', async () => {
    const port = await freePort();
    const r = await runCli(['flower', 'join', '--superlink', `127.0.0.1:${port}`, '--cells', 'ae', '--width', '8', '--head-hidden', 'none', '--train-limit', '100', '--retry-for', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/localbp: error: CreateNode: the SuperLink did not answer for \d+ s/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
