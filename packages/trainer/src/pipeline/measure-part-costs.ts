import { tf, type StagedModel } from '@localbp/core';

/**
 * Seconds one training step of each part takes (units, then the classifier), measured on a scratch
 * copy of the model with a real batch: the costs a pipeline's stages are balanced by. The first
 * round warms kernels up (workspaces, caches); each part then counts its fastest later round, the
 * least disturbed by whatever else the machine runs (four later rounds: one disturbed round
 * must not flip the stage split). The scratch model is the caller's to dispose.
 */
export async function measurePartCosts(scratch: StagedModel, xs: tf.Tensor, ys: tf.Tensor1D, rounds = 5): Promise<number[]> {
  const unitCount = scratch.units.length;
  const best = new Array<number>(unitCount + 1).fill(Number.POSITIVE_INFINITY);
  for (let round = 0; round < rounds; round++) {
    const costs: number[] = [];
    const readouts: tf.Tensor2D[] = [];
    let input: tf.Tensor = xs;
    let carried: Record<string, tf.Tensor> = {};
    const context = (units: number[], head: boolean) => ({ step: round, units, head, probe: () => undefined });
    try {
      for (let part = 0; part < unitCount; part++) {
        const started = performance.now();
        const result = await scratch.trainStage({ first: part, last: part, head: false, readouts: true }, { input, readouts: [], ys, carried }, context([part], false));
        costs.push((performance.now() - started) / 1000);
        if (input !== xs) input.dispose();
        for (const t of Object.values(carried)) t.dispose();
        input = result.output ?? xs;
        carried = result.carried ?? {};
        readouts.push(...result.readouts);
      }
      const started = performance.now();
      const result = await scratch.trainStage({ first: unitCount, last: unitCount - 1, head: true, readouts: false }, { input, readouts, ys, carried }, context([], true));
      costs.push((performance.now() - started) / 1000);
      result.output?.dispose();
    } finally {
      if (input !== xs) input.dispose();
      for (const t of Object.values(carried)) t.dispose();
      for (const r of readouts) r.dispose();
    }
    if (round > 0 || rounds === 1) costs.forEach((c, i) => (best[i] = Math.min(best[i]!, c)));
  }
  return best;
}
