import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, STACK_LINE, tempDir } from './cli-test-helpers';

const tmp = tempDir('data');
afterAll(tmp.cleanup);

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
const TRAIN_COUNT = 64;
const TEST_COUNT = 32;

/** IDX: big-endian magic (0 0 dtype ndims), one big-endian uint32 per dimension, then the bytes. */
function idx(magic: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

function images(count: number): Buffer {
  const data = new Uint8Array(count * 28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 256;
  return idx(IMAGES_MAGIC, [count, 28, 28], data);
}

function labels(count: number): Buffer {
  return idx(LABELS_MAGIC, [count], Uint8Array.from({ length: count }, (_, i) => i % 10));
}

/** A folder with the 4 MNIST IDX files, all valid; `tamper` may then break one of them. */
function mnistDir(name: string, tamper?: (files: Record<string, Buffer>) => void): string {
  const files: Record<string, Buffer> = {
    'train-images-idx3-ubyte': images(TRAIN_COUNT),
    'train-labels-idx1-ubyte': labels(TRAIN_COUNT),
    't10k-images-idx3-ubyte': images(TEST_COUNT),
    't10k-labels-idx1-ubyte': labels(TEST_COUNT),
  };
  tamper?.(files);
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir);
  for (const [file, bytes] of Object.entries(files)) writeFileSync(path.join(dir, file), bytes);
  return dir;
}

const TINY = ['--width', '8', '--batch-size', '32', '--epochs', '1'];

describe('localbp train --data-dir with broken MNIST files', () => {
  it('trains on the generated files when none is broken (the fixture itself is valid)', async () => {
    const dir = mnistDir('valid');
    const res = await runCli(['train', '--data-dir', dir, ...TINY, '--json', '--out', path.join(tmp.dir, 'valid-run')]);
    expect(res.code, res.stderr).toBe(0);
    expect(lastJsonLine(res.stdout)).toMatchObject({ trainExamples: TRAIN_COUNT, testExamples: TEST_COUNT });
    expect(res.stderr).toContain(`MNIST IDX files in ${dir}`);
  });

  it('names a truncated images file and says it is truncated, exit 1, no stack', async () => {
    const dir = mnistDir('truncated', (f) => {
      f['t10k-images-idx3-ubyte'] = f['t10k-images-idx3-ubyte']!.subarray(0, 5000);
    });
    const res = await runCli(['train', '--data-dir', dir, ...TINY, '--out', path.join(tmp.dir, 'truncated-run')]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^localbp: error: /m);
    expect(res.stderr).toContain(path.join(dir, 't10k-images-idx3-ubyte'));
    expect(res.stderr).toContain('truncated');
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it('names a labels file with bad magic bytes, exit 1, no stack', async () => {
    const dir = mnistDir('bad-magic', (f) => {
      const broken = Buffer.from(f['train-labels-idx1-ubyte']!);
      broken.writeUInt32BE(0xdeadbeef, 0);
      f['train-labels-idx1-ubyte'] = broken;
    });
    const res = await runCli(['train', '--data-dir', dir, ...TINY, '--out', path.join(tmp.dir, 'bad-magic-run')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(path.join(dir, 'train-labels-idx1-ubyte'));
    expect(res.stderr).toContain('magic');
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it('names a missing file, exit 1, no stack', async () => {
    const dir = mnistDir('missing', (f) => {
      delete f['t10k-labels-idx1-ubyte'];
    });
    const res = await runCli(['train', '--data-dir', dir, ...TINY, '--out', path.join(tmp.dir, 'missing-run')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('t10k-labels-idx1-ubyte');
    expect(res.stderr).not.toMatch(STACK_LINE);
  });
});
