// Helpers for core's own cell tests only (not exported): objectives live in @localbp/objectives,
// which depends on core, so core's tests bring minimal ones.
import * as tf from '@tensorflow/tfjs';
import type { ReconstructionObjective } from '../objective';

export const testMse = (): ReconstructionObjective => ({
  id: 'mse',
  kind: 'reconstruction',
  options: {},
  requiresUnitRange: false,
  loss: (t, p) => tf.tidy(() => tf.mean(tf.squaredDifference(t, p)) as tf.Scalar),
});
