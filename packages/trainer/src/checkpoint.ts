import { AdamWOptimizer, assignNamedWeights, tf, type NamedWeights, type TrainableModel } from '@localbp/core';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EpochRecord, TrainingProgress } from './local-trainer';
import { fitOptionsSchema, type FitOptionsInput } from './training-config';

/** The `format` field of every checkpoint.json. */
export const CHECKPOINT_FORMAT = 'localbp-checkpoint';
/** The checkpoint format this version reads and writes; others are refused with a message. */
export const CHECKPOINT_FORMAT_VERSION = 1;
const MANIFEST = 'checkpoint.json';

const tensorEntrySchema = z.object({ name: z.string(), shape: z.array(z.number().int().min(0)) });

const manifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  formatVersion: z.number().int(),
  createdAt: z.string(),
  /** The model's own validated config; its `model` field picks the factory that rebuilds it. */
  model: z.object({ model: z.string(), seed: z.number().int() }).passthrough(),
  fit: fitOptionsSchema,
  data: z.object({ imageShape: z.array(z.number().int().positive()), numClasses: z.number().int().positive() }),
  progress: z.object({
    phase: z.number().int().min(0),
    epoch: z.number().int().min(0),
    batch: z.number().int().min(0),
    step: z.number().int().min(0),
    epochsDone: z.number().int().min(0),
  }),
  history: z.array(
    z.object({
      epoch: z.number(),
      phase: z.string(),
      seconds: z.number(),
      losses: z.record(z.string(), z.number()),
      testAccuracy: z.number().optional(),
      metrics: z.record(z.string(), z.number()).optional(),
      resumedAtBatch: z.number().int().positive().optional(),
    }),
  ),
  /** Free-form run facts (backend, dataset, versions) recorded with the checkpoint. */
  run: z.record(z.string(), z.unknown()),
  weightsFile: z.string().regex(/^[\w.-]+\.bin$/),
  tensors: z.array(tensorEntrySchema),
  optimizers: z.array(z.object({ owner: z.string(), step: z.number().int().min(0), tensors: z.number().int().min(0) })),
});

/** A validated checkpoint.json: model config, fit options, progress, history, run facts and the tensor table. */
export type CheckpointManifest = z.infer<typeof manifestSchema>;

/** A checkpoint could not be read: missing, corrupt, foreign or from another format version. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** What a checkpoint holds besides the model's weights and optimizer state. */
export interface CheckpointContents {
  /** Fit options; missing defaults (e.g. a constant `lrSchedule`) are filled in. */
  fit: FitOptionsInput;
  progress: TrainingProgress;
  history: EpochRecord[];
  run: Record<string, unknown>;
}

/**
 * Writes the whole model (weights and optimizer state) plus progress to `dir`. The weights file
 * is new each time and the manifest is replaced by rename, so a crash mid-write leaves the
 * previous checkpoint intact.
 */
export async function saveCheckpoint(dir: string, model: TrainableModel, contents: CheckpointContents): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const named: NamedWeights = model.namedWeights();
  const optimizerTensors: tf.Tensor[] = [];
  const optimizers: CheckpointManifest['optimizers'] = [];
  for (const { owner, optimizer, variables } of model.optimizerSlots()) {
    if (optimizer instanceof AdamWOptimizer) {
      const state = optimizer.exportState(variables());
      optimizerTensors.push(...state.tensors);
      optimizers.push({ owner, step: state.step, tensors: state.tensors.length });
    } else {
      optimizers.push({ owner, step: optimizer.iterations, tensors: 0 });
    }
  }
  try {
    const all = [...named.map((n) => n.tensor), ...optimizerTensors];
    const chunks = await Promise.all(all.map((t) => t.data<'float32'>()));
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const buffer = new Float32Array(total);
    let offset = 0;
    for (const c of chunks) {
      buffer.set(c, offset);
      offset += c.length;
    }
    const weightsFile = `weights-${contents.progress.step}-${Date.now().toString(36)}.bin`;
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      model: { ...model.config },
      fit: fitOptionsSchema.parse(contents.fit),
      data: { imageShape: [...model.data.imageShape], numClasses: model.data.numClasses },
      progress: contents.progress,
      history: contents.history,
      run: contents.run,
      weightsFile,
      tensors: [...named.map((n) => ({ name: n.name, shape: n.tensor.shape })), ...optimizerTensors.map((t, i) => ({ name: `optimizer/${i}`, shape: t.shape }))],
      optimizers,
    };
    const previous = await readManifestIfAny(dir);
    await fs.writeFile(path.join(dir, weightsFile), Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    const tmp = path.join(dir, `${MANIFEST}.tmp`);
    await fs.writeFile(tmp, JSON.stringify(manifest, null, 2));
    await fs.rename(tmp, path.join(dir, MANIFEST));
    if (previous && previous.weightsFile !== weightsFile) {
      await fs.rm(path.join(dir, previous.weightsFile), { force: true });
    }
    return path.join(dir, MANIFEST);
  } finally {
    for (const t of optimizerTensors) t.dispose();
  }
}

async function readManifestIfAny(dir: string): Promise<CheckpointManifest | null> {
  try {
    return await readCheckpointManifest(dir);
  } catch {
    return null;
  }
}

/** Reads and validates `dir/checkpoint.json` without touching any model. */
export async function readCheckpointManifest(dir: string): Promise<CheckpointManifest> {
  const file = path.join(dir, MANIFEST);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new CheckpointError(`no checkpoint at ${dir} (missing ${MANIFEST})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`checkpoint ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const header = z.object({ format: z.string(), formatVersion: z.number() }).safeParse(json);
  if (!header.success || header.data.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${file} is not a localbp checkpoint`);
  }
  if (header.data.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      `${file} has checkpoint format v${header.data.formatVersion}; this localbp reads v${CHECKPOINT_FORMAT_VERSION} ` +
        `(no migration exists for it)`,
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new CheckpointError(`checkpoint ${file} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/**
 * Loads weights and optimizer state from `dir` into `model` (built from the manifest's config).
 * Every size and name is checked before anything is assigned.
 */
export async function loadCheckpointInto(dir: string, model: TrainableModel, manifest?: CheckpointManifest): Promise<CheckpointContents> {
  const m = manifest ?? (await readCheckpointManifest(dir));
  const weightsPath = path.join(dir, m.weightsFile);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(weightsPath);
  } catch {
    throw new CheckpointError(`checkpoint weights ${weightsPath} are missing`);
  }
  const expected = m.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0) * 4;
  if (bytes.byteLength !== expected) {
    throw new CheckpointError(`checkpoint weights ${weightsPath} hold ${bytes.byteLength} bytes, expected ${expected}`);
  }
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const tensors: tf.Tensor[] = [];
  try {
    let offset = 0;
    for (const entry of m.tensors) {
      const size = entry.shape.reduce((a, b) => a * b, 1);
      tensors.push(tf.tensor(floats.subarray(offset, offset + size), entry.shape, 'float32'));
      offset += size;
    }
    const named = model.namedWeights();
    const weightMap = new Map<string, tf.Tensor>();
    m.tensors.slice(0, named.length).forEach((e, i) => weightMap.set(e.name, tensors[i]!));
    assignNamedWeights(named, weightMap, `checkpoint ${dir}`);
    let cursor = named.length;
    const owners = model.optimizerSlots();
    for (const entry of m.optimizers) {
      const owner = owners.find((o) => o.owner === entry.owner);
      if (!owner) throw new CheckpointError(`checkpoint ${dir} has optimizer state for unknown ${entry.owner}`);
      const slice = tensors.slice(cursor, cursor + entry.tensors);
      cursor += entry.tensors;
      if (entry.tensors > 0 && owner.optimizer instanceof AdamWOptimizer) {
        owner.optimizer.importState(owner.variables(), { step: entry.step, tensors: slice });
      }
    }
  } finally {
    for (const t of tensors) t.dispose();
  }
  return { fit: m.fit, progress: m.progress, history: m.history, run: m.run };
}
