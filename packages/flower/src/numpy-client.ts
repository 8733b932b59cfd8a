import type { NpyArray } from './npy-codec';
import type { Scalar } from './record-set';

/** What Flower's `NumPyClient` does, for a model on this machine. Parameters travel in one fixed order. */
export interface NumPyClient {
  /** The current local parameters (e.g. when the strategy has no initial ones). */
  getParameters(config: Record<string, Scalar>): Promise<NpyArray[]>;
  /** Trains from the global parameters; returns the new ones, the examples used, metrics. */
  fit(parameters: NpyArray[], config: Record<string, Scalar>): Promise<{ parameters: NpyArray[]; numExamples: number; metrics: Record<string, Scalar> }>;
  /** Scores the global parameters: loss, examples, metrics. */
  evaluate(parameters: NpyArray[], config: Record<string, Scalar>): Promise<{ loss: number; numExamples: number; metrics: Record<string, Scalar> }>;
}
