import { z } from 'zod';

/** Named places in the server's round where a fault-injection test can stop (and SIGKILL) it. */
export const FAULT_POINT_NAMES = ['upload-body', 'aggregate', 'commit', 'between-rounds'] as const;
export type FaultPointName = (typeof FAULT_POINT_NAMES)[number];

/** `LOCALBP_TEST_FAULT_POINT=NAME[@N]`: stop at the N-th time (default 1) this process reaches NAME. */
const faultPointSchema = z
  .string()
  .regex(new RegExp(`^(${FAULT_POINT_NAMES.join('|')})(@[1-9]\\d*)?$`), `expected NAME[@N] with NAME one of ${FAULT_POINT_NAMES.join(', ')}`)
  .transform((text) => {
    const [name, count] = text.split('@');
    return { name: name as FaultPointName, occurrence: count ? Number(count) : 1 };
  });
/** `LOCALBP_TEST_DROP_UPLOADS=N`: the first N update bodies have their connection destroyed half-read. */
const dropUploadsSchema = z.coerce.number().int().nonnegative();

/**
 * Test hooks of the server, off unless the environment asks for them. At its fault point the server logs
 * `fault point: NAME (round R)` (`…, CLIENT)` for an upload) and stops there for good (a promise that never settles), so a test can kill it
 * at exactly that place: mid-upload, mid-aggregation, inside the open SQLite transaction, or between rounds.
 * Real code paths, real process, real kill: nothing is simulated.
 */
export interface FaultPoints {
  /** Resolves at once, except at the chosen point, where it logs and never resolves. */
  reach(name: FaultPointName, round: number): Promise<void>;
  /** The same count and log for a caller that stops by itself (pauses a request): true at the chosen point. */
  stopsHere(name: FaultPointName, round: number, client?: string): boolean;
  /** True for the first N update bodies when dropping is on: the caller destroys the connection. */
  dropThisUpload(): boolean;
  readonly active: boolean;
}

export const NO_FAULT_POINTS: FaultPoints = { reach: () => Promise.resolve(), stopsHere: () => false, dropThisUpload: () => false, active: false };

export function faultPointsFromEnv(env: Readonly<Record<string, string | undefined>>, log: (message: string) => void): FaultPoints {
  const point = env.LOCALBP_TEST_FAULT_POINT ? faultPointSchema.parse(env.LOCALBP_TEST_FAULT_POINT) : null;
  let drops = env.LOCALBP_TEST_DROP_UPLOADS ? dropUploadsSchema.parse(env.LOCALBP_TEST_DROP_UPLOADS) : 0;
  if (!point && drops === 0) return NO_FAULT_POINTS;
  log(`test hooks on:${point ? ` stop at ${point.name} #${point.occurrence}` : ''}${drops ? ` drop ${drops} upload(s) mid-body` : ''}`);
  let seen = 0;
  const stopsHere = (name: FaultPointName, round: number, client?: string) => {
    if (!point || name !== point.name || ++seen !== point.occurrence) return false;
    log(`fault point: ${name} (round ${round}${client ? `, ${client}` : ''})`);
    return true;
  };
  return {
    active: true,
    stopsHere,
    reach: (name, round) => (stopsHere(name, round) ? new Promise<void>(() => {}) : Promise.resolve()),
    dropThisUpload() {
      if (drops === 0) return false;
      drops--;
      return true;
    },
  };
}
