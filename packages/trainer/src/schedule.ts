import type { ScheduleName } from './training-config';

/** One stretch of training: which cells update, whether the classifier does, and for how long. */
export interface TrainingPhase {
  readonly name: string;
  /** Indices of the cells whose local updates run; the others only encode (frozen). */
  readonly cells: readonly number[];
  readonly head: boolean;
  readonly epochs: number;
}

/** Decides in what order cells and the classifier are trained. */
export interface Schedule {
  readonly name: ScheduleName | (string & {});
  /** The phases (which units train, for how many epochs) of a model with `cellCount` units. */
  phases(cellCount: number, epochs: number): TrainingPhase[];
}

/** Every batch: cell 1 → update, cell 2 on the detached z1 → update, …, classifier → update. */
export const simultaneousSchedule: Schedule = {
  name: 'simultaneous',
  phases: (cellCount, epochs) => [
    { name: 'all', cells: Array.from({ length: cellCount }, (_, i) => i), head: true, epochs },
  ],
};

/** Greedy: cell 1 to completion, frozen, then cell 2, …, then the classifier; `epochs` each. */
export const separateSchedule: Schedule = {
  name: 'separate',
  phases: (cellCount, epochs) => [
    ...Array.from({ length: cellCount }, (_, i) => ({ name: `cell-${i + 1}`, cells: [i], head: false, epochs })),
    { name: 'head', cells: [], head: true, epochs },
  ],
};

/** The schedule registered under a name (`simultaneous`, `separate`). */
export function scheduleByName(name: ScheduleName): Schedule {
  return name === 'separate' ? separateSchedule : simultaneousSchedule;
}
