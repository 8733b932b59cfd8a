import { describe, expect, it } from 'vitest';
import { mergeRestartConfig } from './restart-config';
import { federationConfigSchema } from './server-config';
import { ServerStateError } from './server-state-db';

const stored = federationConfigSchema.parse({
  rounds: 40,
  waitForClients: 2,
  quorum: 2,
  model: { model: 'lbp', cells: ['ae'] },
  data: { dataset: 'mnist', imageShape: [28, 28, 1], numClasses: 10 },
});

describe('mergeRestartConfig', () => {
  it('takes the changeable options given at the restart, logs each change, and keeps the rest stored', () => {
    const lines: string[] = [];
    const merged = mergeRestartConfig(stored, { ...stored, waitForClients: 1, quorum: 1, requestsPerSecond: 50, roundTimeoutMs: 1 }, ['waitForClients', 'quorum', 'requestsPerSecond'], (m) =>
      lines.push(m),
    );
    expect(merged).toMatchObject({ waitForClients: 1, quorum: 1, requestsPerSecond: 50, rounds: 40 });
    // roundTimeoutMs was not given explicitly: the stored value stays.
    expect(merged.roundTimeoutMs).toBe(stored.roundTimeoutMs);
    expect(lines).toEqual(['restart: waitForClients changed from 2 to 1', 'restart: quorum changed from 2 to 1', 'restart: requestsPerSecond changed from 20 to 50']);
  });

  it('refuses a different model, rounds or mode, naming the stored value; the same value passes silently', () => {
    expect(() => mergeRestartConfig(stored, { ...stored, rounds: 30 }, ['rounds'], () => {})).toThrow(
      new ServerStateError('rounds cannot change at a restart: the state database holds 40, the command asks for 30 (use a new --state for a different run)'),
    );
    expect(() => mergeRestartConfig(stored, { ...stored, model: { model: 'lbp', cells: ['dae'] } }, ['model'], () => {})).toThrow(/model cannot change at a restart: the state database holds \{"cells":\["ae"\],"model":"lbp"\}/);
    expect(() => mergeRestartConfig(stored, { ...stored, mode: 'cell-distributed' }, ['mode'], () => {})).toThrow(/mode cannot change.*"data-parallel"/);
    const lines: string[] = [];
    expect(mergeRestartConfig(stored, { ...stored, model: { cells: ['ae'], model: 'lbp' } }, ['model', 'rounds'], (m) => lines.push(m))).toEqual(stored);
    expect(lines).toEqual([]);
  });
});
