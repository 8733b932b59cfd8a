import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The CLI as users run it (its built binary) and this plugin as users pass it: a path to its package.
const LOCALBP = fileURLToPath(new URL('../node_modules/@localbp/cli/dist/localbp.js', import.meta.url));
const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = path.resolve(PLUGIN_DIR, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'localbp-vae-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function localbp(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOCALBP, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastJson = (stdout: string) => JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;

describe('localbp train --plugin ./examples/plugin-vae-cell', () => {
  const out = path.join(scratch, 'run');

  it('trains vae,vae on an MNIST subset and records the plugin with the run', async () => {
    const args = ['train', '--plugin', './examples/plugin-vae-cell', '--cells', 'vae,vae', '--width', '64'];
    const result = await localbp([...args, '--train-limit', '3000', '--test-limit', '500', '--out', out, '--json'], REPO_ROOT);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`plugin: localbp-plugin-vae-cell (spec v1) from ${PLUGIN_DIR.replace(/\/$/, '')}`);
    const summary = lastJson(result.stdout);
    expect(summary.status).toBe('completed');
    expect(summary.cells).toMatchObject([{ type: 'vae', width: 64, objective: 'bce' }, { type: 'vae', width: 64, objective: 'mse' }]);
    // 3000 examples, one epoch at width 64: well above chance (0.1); 0.458 here. Full MNIST reaches ≥ 0.90.
    expect(summary.testAccuracy).toBeGreaterThan(0.3);
    const checkpoint = JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8')) as { run: { plugins: string[] } };
    expect(checkpoint.run.plugins).toEqual([PLUGIN_DIR.replace(/\/$/, '')]);
  });

  it('resumes from another directory without --plugin: the run knows its plugins', async () => {
    const result = await localbp(['train', '--resume', out, '--json'], scratch);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('has already completed');
    expect(lastJson(result.stdout).cells).toMatchObject([{ type: 'vae' }, { type: 'vae' }]);
  });

  it('loads plugins named in a --config file, relative to the file', async () => {
    const config = path.join(scratch, 'exp.yaml');
    const relative = path.relative(scratch, PLUGIN_DIR); // ../../…/examples/plugin-vae-cell
    writeFileSync(config, `plugin: [${relative}]\ncells: [vae]\nwidth: 16\ntrainLimit: 500\ntestLimit: 100\nstore: false\n`);
    const result = await localbp(['train', '--config', config, '--out', path.join(scratch, 'from-config'), '--json'], REPO_ROOT);
    expect(result.code, result.stderr).toBe(0);
    expect(lastJson(result.stdout).cells).toMatchObject([{ type: 'vae', width: 16 }]);
  });

  it('without the plugin, vae is an unknown cell', async () => {
    const result = await localbp(['train', '--cells', 'vae', '--train-limit', '10'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown cell "vae"; registered cells: ae, cae, dae, ff-conv, ff-dense, gan/);
  });

  it('refuses a plugin built for another spec major with a clear message', async () => {
    const future = path.join(scratch, 'future-plugin.mjs');
    writeFileSync(future, `import { plugin } from ${JSON.stringify(path.join(PLUGIN_DIR, 'dist/index.js'))};\nexport default { ...plugin, specVersion: 2 };\n`);
    const result = await localbp(['train', '--plugin', future, '--cells', 'vae', '--train-limit', '10'], scratch);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'localbp: error: plugin "localbp-plugin-vae-cell" was built for localbp plugin spec v2, but this @localbp/core implements spec v1; it was not loaded.',
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names a plugin it cannot find', async () => {
    const result = await localbp(['train', '--plugin', 'localbp-plugin-nobody-published', '--train-limit', '10'], scratch);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot find plugin package "localbp-plugin-nobody-published"');
  });
});
