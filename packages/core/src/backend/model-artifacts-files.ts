import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { io } from '@tensorflow/tfjs';

type WeightsManifestGroup = io.WeightsManifestConfig[number];

/** File names tfjs-node uses, so models are interchangeable with it. */
export const MODEL_JSON_FILE = 'model.json';
/** File name of the weights next to `model.json`. */
export const WEIGHTS_BIN_FILE = 'weights.bin';

/** A directory gets model.json inside it; a path ending in .json names the file itself. */
function modelJsonPathFor(dirOrModelJsonPath: string): string {
  return dirOrModelJsonPath.toLowerCase().endsWith('.json')
    ? dirOrModelJsonPath
    : path.join(dirOrModelJsonPath, MODEL_JSON_FILE);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** Writes data next to its destination; commit later with rename. */
async function writeTempFile(target: string, data: string | Uint8Array): Promise<string> {
  const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    // Durable before rename, so the rename never exposes a partial file.
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Writes model.json + weights.bin in tfjs-node's layout. Both go to temp files
 * first and are renamed into place, so a crash never leaves a half-written
 * model.json over a good one.
 */
export async function saveModelArtifacts(
  dirOrModelJsonPath: string,
  artifacts: io.ModelArtifacts,
): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('Saving a binary (GraphDef) model topology to file:// is not supported');
  }
  const modelJsonPath = modelJsonPathFor(dirOrModelJsonPath);
  const dir = path.dirname(modelJsonPath);
  const weightsPath = path.join(dir, WEIGHTS_BIN_FILE);
  await mkdir(dir, { recursive: true });

  const weightsManifest: io.WeightsManifestConfig = [
    { paths: [WEIGHTS_BIN_FILE], weights: artifacts.weightSpecs ?? [] },
  ];
  const modelJson: io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    weightsManifest,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) modelJson.initializerSignature = artifacts.initializerSignature;

  const weightBytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
  const temps: string[] = [];
  try {
    const weightsTemp = await writeTempFile(weightsPath, weightBytes);
    temps.push(weightsTemp);
    const jsonTemp = await writeTempFile(modelJsonPath, JSON.stringify(modelJson));
    temps.push(jsonTemp);
    // Weights first: model.json, the entry point, only ever names complete weights.
    await rename(weightsTemp, weightsPath);
    await rename(jsonTemp, modelJsonPath);
  } catch (error) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw error;
  }
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** Bytes a manifest group's weights occupy, or undefined when not fixed (strings). */
function expectedGroupBytes(weights: io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of weights) {
    const perElement = spec.quantization
      ? QUANTIZED_BYTES[spec.quantization.dtype]
      : DTYPE_BYTES[spec.dtype];
    if (perElement === undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * perElement;
  }
  return total;
}

function assertModelJson(value: unknown, file: string): asserts value is io.ModelJSON {
  const fail = (what: string): never => {
    throw new Error(`Invalid model file ${file}: ${what}`);
  };
  if (value == null || typeof value !== 'object' || Array.isArray(value)) fail('not a JSON object');
  const json = value as Record<string, unknown>;
  if (json.modelTopology == null || typeof json.modelTopology !== 'object') fail("missing 'modelTopology'");
  if (!Array.isArray(json.weightsManifest)) fail("missing 'weightsManifest'");
  for (const group of json.weightsManifest as unknown[]) {
    const g = group as Record<string, unknown> | null;
    const pathsOk = Array.isArray(g?.paths) && g.paths.every((p) => typeof p === 'string');
    if (!pathsOk || !Array.isArray(g?.weights)) {
      fail("each 'weightsManifest' entry needs 'paths' (strings) and 'weights'");
    }
  }
}

async function readModelJson(modelJsonPath: string): Promise<io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(modelJsonPath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new Error(`Model file not found: ${modelJsonPath}`);
    throw new Error(`Cannot read model file ${modelJsonPath}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`Corrupt model file ${modelJsonPath}: ${(error as Error).message}`);
  }
  assertModelJson(parsed, modelJsonPath);
  return parsed;
}

async function readWeightGroup(
  group: WeightsManifestGroup,
  dir: string,
  modelJsonPath: string,
): Promise<Uint8Array> {
  const files = group.paths.map((p) => path.resolve(dir, p));
  const chunks: Uint8Array[] = [];
  for (const file of files) {
    try {
      chunks.push(await readFile(file));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        throw new Error(`Weights file not found: ${file} (listed in ${modelJsonPath})`);
      }
      throw new Error(`Cannot read weights file ${file}: ${(error as Error).message}`);
    }
  }
  const actual = chunks.reduce((n, c) => n + c.byteLength, 0);
  const expected = expectedGroupBytes(group.weights);
  if (expected !== undefined && actual !== expected) {
    throw new Error(
      `Weights file ${files.join(', ')} has ${actual} bytes but ${modelJsonPath} ` +
        `describes ${expected} bytes (truncated or mismatched weights)`,
    );
  }
  return Buffer.concat(chunks);
}

/** Reads a model saved by saveModelArtifacts or by tfjs-node (a directory or its model.json). */
export async function loadModelArtifacts(dirOrModelJsonPath: string): Promise<io.ModelArtifacts> {
  let modelJsonPath = modelJsonPathFor(dirOrModelJsonPath);
  // Also accept a directory whose name happens to end in .json.
  const info = await stat(modelJsonPath).catch(() => undefined);
  if (info?.isDirectory()) modelJsonPath = path.join(modelJsonPath, MODEL_JSON_FILE);

  const modelJson = await readModelJson(modelJsonPath);
  const dir = path.dirname(modelJsonPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const groups = await Promise.all(manifest.map((g) => readWeightGroup(g, dir, modelJsonPath)));
    const joined = Buffer.concat(groups);
    // A standalone ArrayBuffer: Buffer's pooled memory may be shared.
    const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
    return [manifest.flatMap((g) => g.weights), weightData];
  });
}
