import { ServerStateDb } from '@localbp/federation/node';

/** What a (stopped) server's state database holds, as fault tests check it. */
export interface StateSummary {
  /** Last committed round (meta). */
  round: number;
  /** Round numbers of the stored reports, in order. */
  rounds: number[];
  versions: Record<string, number>;
  integrity: string;
}

/** Opens the state database of a server that is not running and reads what a restart would resume from. */
export async function readStateSummary(statePath: string): Promise<StateSummary> {
  const db = await ServerStateDb.open(statePath);
  try {
    const integrity = await db.integrityCheck();
    const checkpoint = await db.readCheckpoint();
    return { round: checkpoint?.round ?? 0, rounds: checkpoint?.history.map((r) => r.round) ?? [], versions: checkpoint?.versions ?? {}, integrity };
  } finally {
    db.close();
  }
}

/**
 * The invariants of a data-parallel run after any crash: the file is sound, rounds 1..round are stored once
 * each and nothing beyond, and every unit was aggregated exactly once per committed round (a round counted
 * twice would push a version past the round number). Returns the problems found, empty when all hold.
 */
export function stateProblems(state: StateSummary, units: readonly string[]): string[] {
  const problems: string[] = [];
  if (state.integrity !== 'ok') problems.push(`PRAGMA integrity_check: ${state.integrity}`);
  const expected = Array.from({ length: state.round }, (_, i) => i + 1);
  if (state.rounds.join(',') !== expected.join(',')) problems.push(`stored rounds [${state.rounds.join(', ')}], expected 1..${state.round}`);
  for (const unit of units) {
    if ((state.versions[unit] ?? 0) !== state.round) problems.push(`${unit} at version ${state.versions[unit] ?? 0} after ${state.round} committed round(s)`);
  }
  return problems;
}
