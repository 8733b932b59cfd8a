import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, STACK_LINE, tempDir } from './cli-test-helpers';

const { dir, cleanup } = tempDir('config');
afterAll(cleanup);

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('localbp train --config', () => {
  it('reads a YAML file (lists as arrays), lets flags override it and records the resolved config', async () => {
    const config = write(
      'exp.yaml',
      ['# an experiment', 'cells: [ae, dae]', 'width: 64', 'headHidden: none', 'trainLimit: 1500', 'testLimit: 300', 'batchSize: 64'].join('\n'),
    );
    const out = path.join(dir, 'yaml-run');
    const result = await runCli(['train', '--config', config, '--width', '32', '--out', out, '--no-store', '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    const summary = lastJsonLine(result.stdout);
    expect(summary).toMatchObject({ trainExamples: 1500, testExamples: 300, batchSize: 64, head: { hidden: [] } });
    expect(summary.cells).toMatchObject([{ type: 'ae', width: 32 }, { type: 'dae', width: 32 }]);
    const recorded = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(recorded).toMatchObject({ cells: 'ae,dae', width: '32', headHidden: 'none', trainLimit: '1500', batchSize: '64', dataset: 'mnist', epochs: '1' });
    expect(recorded).not.toHaveProperty('out');

    // The record reproduces the run.
    const again = await runCli(['train', '--config', path.join(out, 'config.json'), '--out', path.join(dir, 'again'), '--json'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(lastJsonLine(again.stdout).testAccuracy).toBe(summary.testAccuracy);
  });

  it('reads JSON and JS modules the same way', async () => {
    const json = write('exp.json', JSON.stringify({ cells: 'ae', width: 16, trainLimit: 500, testLimit: 100, headHidden: [8], store: false }));
    const mjs = write('exp.mjs', 'export default { cells: ["ae"], width: 16, trainLimit: 500, testLimit: 100, headHidden: 8, store: false };\n');
    const a = await runCli(['train', '--config', json, '--out', path.join(dir, 'json-run'), '--json'], dir);
    const b = await runCli(['train', '--config', mjs, '--out', path.join(dir, 'mjs-run'), '--json'], dir);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(lastJsonLine(a.stdout)).toMatchObject({ trainExamples: 500, head: { hidden: [8] } });
    expect(lastJsonLine(b.stdout).testAccuracy).toBe(lastJsonLine(a.stdout).testAccuracy);
  });

  it('names what is wrong in a config file', async () => {
    const unknown = await runCli(['train', '--config', write('typo.yaml', 'widht: 10\n')], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/typo\.yaml: Unrecognized key: "widht" \(valid keys: dataset, dataDir, .*width/);
    const wrongType = await runCli(['train', '--config', write('type.yaml', 'epochs: [1, 2]\n')], dir);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('type.yaml: epochs:');
    const badValue = await runCli(['train', '--config', write('value.yaml', 'width: -3\n')], dir);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('--width must be an integer ≥ 1, got "-3"');
    const choice = await runCli(['train', '--config', write('choice.json', '{"schedule": "sometimes"}')], dir);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toContain('choice.json: schedule:');
    const broken = await runCli(['train', '--config', write('broken.yaml', 'cells: [ae\n')], dir);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('broken.yaml is not valid YAML');
    const missing = await runCli(['train', '--config', path.join(dir, 'nope.json')], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read config file');
    const toml = await runCli(['train', '--config', write('exp.toml', 'a = 1\n')], dir);
    expect(toml.code).toBe(2);
    expect(toml.stderr).toContain('unsupported extension ".toml"');
    for (const r of [unknown, wrongType, badValue, broken, missing, toml]) expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('refuses .ts clearly where Node cannot strip types, and --config together with --resume', async () => {
    const ts = await runCli(['train', '--config', write('exp.ts', 'const width: number = 8;\nexport default { width };\n'), '--train-limit', '100', '--test-limit', '50', '--cells', 'ae', '--out', path.join(dir, 'ts-run'), '--no-store'], dir);
    if (ts.code === 0) {
      // Node with type stripping imports it like a .mjs file.
      expect(JSON.parse(readFileSync(path.join(dir, 'ts-run', 'config.json'), 'utf8')).width).toBe('8');
    } else {
      expect(ts.code).toBe(1);
      expect(ts.stderr).toContain('cannot import TypeScript; write the config as .mjs or .js');
    }
    const resume = await runCli(['train', '--resume', path.join(dir, 'json-run'), '--config', path.join(dir, 'exp.json')], dir);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('drop --config');
  });

  it('publishes the same schema as JSON Schema and in the help', async () => {
    const printed = await runCli(['train', '--config-schema'], dir);
    expect(printed.code).toBe(0);
    const schema = JSON.parse(printed.stdout) as { properties: Record<string, { description: string }>; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['dataset', 'cells', 'width', 'batchSize', 'plugin', 'store']));
    expect(schema.properties.batchSize!.description).toBe('--batch-size: mini-batch size (default: 128)');
    const help = await runCli(['train', '--help'], dir);
    expect(help.stdout).toContain('Config file (--config exp.yaml|.yml|.json|.mjs|.js)');
    for (const key of Object.keys(schema.properties)) expect(help.stdout).toMatch(new RegExp(`\\b${key}\\b`));
    const shipped = JSON.parse(readFileSync(new URL('../dist/train-config.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(shipped).toEqual(schema);
  });
});
