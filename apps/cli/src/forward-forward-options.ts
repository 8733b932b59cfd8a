import { isGoodnessObjective, registry } from '@localbp/core';
import { ffInferenceSchema, type FfModelConfigInput } from '@localbp/trainer';
import { UsageError } from './cli-errors';
import { int, nonNegative, oneOf } from './train-options';

/** The raw strings of the Forward-Forward flags of `localbp train --model ff`. */
export interface RawForwardForwardOptions {
  objective?: string;
  layers: string;
  ffInference: string;
  ffNegatives: string;
  goodness?: string;
  peerNorm: string;
  ffChannels?: string;
  reluGradient: string;
}

/** Goodness objectives registered now (built in: ff, symba, hybrid, scff, cwcomp). */
export function goodnessObjectiveIds(): string[] {
  return registry.ids('objective').filter((id) => isGoodnessObjective(registry.get('objective', id)({})));
}

/** Turns the FF flags into a model config; the shared ones (width, seed, optimizers) come parsed. */
export function forwardForwardModel(
  raw: RawForwardForwardOptions,
  shared: Pick<FfModelConfigInput, 'width' | 'seed' | 'optimizer' | 'headOptimizer'>,
): FfModelConfigInput {
  const objective = raw.objective ?? 'ff';
  const known = goodnessObjectiveIds();
  if (!known.includes(objective)) {
    throw new UsageError(`--objective: "${objective}" is not a registered goodness objective; with --model ff use one of: ${known.join(', ')}`);
  }
  const goodness =
    raw.goodness === undefined ? undefined : oneOf(raw.goodness, '--goodness', ['sum-squares', 'mean-squares'] as const);
  if (goodness !== undefined && objective === 'cwcomp') {
    throw new UsageError('--goodness does not apply to cwcomp (its channel groups use mean squares)');
  }
  const inference = oneOf(raw.ffInference, '--ff-inference', ffInferenceSchema.options);
  const resolved = registry.get('objective', objective)({});
  if (inference === 'goodness' && isGoodnessObjective(resolved) && !resolved.embedsLabel && !resolved.classGoodness) {
    throw new UsageError(`--ff-inference goodness needs labels in the input or class channel groups; objective "${objective}" supports only linear`);
  }
  const channels = raw.ffChannels?.split(',').map((c) => int(c.trim(), '--ff-channels', 1));
  return {
    model: 'ff',
    objective,
    objectiveOptions: goodness ? { goodness } : {},
    layers: int(raw.layers, '--layers', 1),
    ...(channels ? { channels } : {}),
    layerOptions: {
      peerNormalization: nonNegative(raw.peerNorm, '--peer-norm'),
      reluGradient: oneOf(raw.reluGradient, '--relu-gradient', ['relu', 'straight-through'] as const),
    },
    negatives: oneOf(raw.ffNegatives, '--ff-negatives', ['random', 'hard'] as const),
    inference,
    ...shared,
  };
}
