import type { NpyArray } from './npy-codec';
import type { Scalar } from './record-set';

/** What Flower's `NumPyClient` does, for a model on this machine. Parameters travel in one fixed order. */
export interface NumPyClient {
  getParameters(config: Record<string, Scalar>): Promise<NpyArray[]>;
  fit(parameters: NpyArray[], config: Record<string, Scalar>): Promise<{ parameters: NpyArray[]; numExamples: number; metrics: Record<string, Scalar> }>;
  evaluate(parameters: NpyArray[], config: Record<string, Scalar>): Promise<{ loss: number; numExamples: number; metrics: Record<string, Scalar> }>;
}
