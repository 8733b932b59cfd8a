import { AdamWOptimizer, assignNamedWeights, tf, type StagedModel } from '@localbp/core';

/**
 * The weights and optimizer state of some parts of a staged model, in one float buffer: how a
 * stage's state moves between the main thread and its worker without a file.
 */
export interface PackedPartState {
  parts: number[];
  /** False for weights only: the optimizers' state stays where it is. */
  withOptimizers: boolean;
  tensors: Array<{ name: string; shape: number[] }>;
  /** Per optimizer slot: AdamW step and moment count (0 for optimizers whose state does not travel). */
  optimizers: Array<{ owner: string; step: number; tensors: number }>;
  values: Float32Array;
}

/** Copies the named weights and AdamW state of `parts` out of `model`. */
export function exportPartState(model: StagedModel, parts: readonly number[], options: { optimizers?: boolean } = {}): PackedPartState {
  const withOptimizers = options.optimizers ?? true;
  const tensors: PackedPartState['tensors'] = [];
  const optimizers: PackedPartState['optimizers'] = [];
  const chunks: Float32Array[] = [];
  const temporaries: tf.Tensor[] = [];
  try {
    for (const part of parts) {
      const { weights, slots } = model.partState(part);
      for (const w of weights) {
        tensors.push({ name: w.name, shape: [...w.tensor.shape] });
        chunks.push(w.tensor.dataSync() as Float32Array);
      }
      for (const slot of withOptimizers ? slots : []) {
        if (slot.optimizer instanceof AdamWOptimizer) {
          const state = slot.optimizer.exportState(slot.variables());
          temporaries.push(...state.tensors);
          state.tensors.forEach((t, i) => {
            tensors.push({ name: `${slot.owner}/moment-${i}`, shape: [...t.shape] });
            chunks.push(t.dataSync() as Float32Array);
          });
          optimizers.push({ owner: slot.owner, step: state.step, tensors: state.tensors.length });
        } else {
          optimizers.push({ owner: slot.owner, step: slot.optimizer.iterations, tensors: 0 });
        }
      }
    }
  } finally {
    for (const t of temporaries) t.dispose();
  }
  const values = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    values.set(c, offset);
    offset += c.length;
  }
  return { parts: [...parts], withOptimizers, tensors, optimizers, values };
}

/** Writes state exported from another copy of the same model into `model`; names and shapes must match. */
export function importPartState(model: StagedModel, state: PackedPartState): void {
  const views: tf.Tensor[] = [];
  let offset = 0;
  let entry = 0;
  const next = (): tf.Tensor => {
    const spec = state.tensors[entry++];
    if (!spec) throw new Error('part state holds fewer tensors than its model parts need');
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(state.values.subarray(offset, offset + size), spec.shape, 'float32');
    offset += size;
    views.push(t);
    return t;
  };
  try {
    let slotIndex = 0;
    for (const part of state.parts) {
      const { weights, slots } = model.partState(part);
      const map = new Map<string, tf.Tensor>();
      for (let i = 0; i < weights.length; i++) {
        const name = state.tensors[entry]?.name ?? '';
        map.set(name, next());
      }
      assignNamedWeights(weights, map, `part ${part}`);
      for (const slot of state.withOptimizers ? slots : []) {
        const saved = state.optimizers[slotIndex++];
        if (!saved || saved.owner !== slot.owner) throw new Error(`part state has no optimizer state for ${slot.owner}`);
        const moments = Array.from({ length: saved.tensors }, () => next());
        if (saved.tensors > 0 && slot.optimizer instanceof AdamWOptimizer) {
          slot.optimizer.importState(slot.variables(), { step: saved.step, tensors: moments });
        }
      }
    }
    if (offset !== state.values.length) throw new Error(`part state holds ${state.values.length - offset} values more than its parts need`);
  } finally {
    for (const t of views) t.dispose();
  }
}
