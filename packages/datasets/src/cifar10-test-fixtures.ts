// Helpers for tests only (not exported from index.ts): small files in CIFAR-10's binary format.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from './cifar10';

/** Records with the given labels; pixel p of channel c of record r is (r * 5 + c * 3 + p) % 256. */
export function cifar10Records(labels: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, r) => {
    const base = r * CIFAR10_RECORD_BYTES;
    bytes[base] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) bytes[base + 1 + c * 1024 + p] = (r * 5 + c * 3 + p) % 256;
  });
  return bytes;
}

/** Writes the five train batches (`perBatch` records each, labels cycling 0..9) and a test batch. */
export function writeFakeCifar10(dir: string, perBatch = 4, testCount = 3): void {
  CIFAR10_TRAIN_FILES.forEach((name, b) => {
    writeFileSync(join(dir, name), cifar10Records(Array.from({ length: perBatch }, (_, i) => (b * perBatch + i) % 10)));
  });
  writeFileSync(join(dir, CIFAR10_TEST_FILE), cifar10Records(Array.from({ length: testCount }, (_, i) => 9 - i)));
}
