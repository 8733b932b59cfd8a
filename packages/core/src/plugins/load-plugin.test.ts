import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from '../registry/registry';
import { RegistryError } from '../registry/registry-error';
import { LOCALBP_SPEC_VERSION } from '../spec-version';
import { loadPlugin, PluginLoadError } from './load-plugin';

const root = mkdtempSync(path.join(tmpdir(), 'localbp-load-plugin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A plugin package on disk, as a user would have it: package.json + built ESM entry. */
function pluginPackage(dir: string, name: string, specVersion: number, entry = 'dist/index.js'): string {
  mkdirSync(path.join(dir, path.dirname(entry)), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, type: 'module', exports: { '.': { import: `./${entry}` } } }));
  writeFileSync(
    path.join(dir, entry),
    `export default { name: ${JSON.stringify(name)}, specVersion: ${specVersion}, register(r) { r.register('objective', ${JSON.stringify(`${name}-objective`)}, () => ({ id: 'x', kind: 'reconstruction', options: {} })); } };\n`,
  );
  return dir;
}

describe('loadPlugin', () => {
  it('loads a plugin package directory by path and records its absolute location', async () => {
    const dir = pluginPackage(path.join(root, 'by-path'), 'by-path', LOCALBP_SPEC_VERSION);
    const registry = new Registry();
    const loaded = await loadPlugin('./by-path', { cwd: root, registry });
    expect(loaded).toEqual({ name: 'by-path', specVersion: LOCALBP_SPEC_VERSION, source: dir });
    expect(registry.ids('objective')).toEqual(['by-path-objective']);
    expect(registry.pluginNames()).toEqual(['by-path']);
  });

  it('loads a module file and a package installed in node_modules above cwd', async () => {
    const file = path.join(pluginPackage(path.join(root, 'file'), 'file', LOCALBP_SPEC_VERSION), 'dist', 'index.js');
    pluginPackage(path.join(root, 'node_modules', 'installed-plugin'), 'installed-plugin', LOCALBP_SPEC_VERSION);
    const nested = path.join(root, 'project', 'sub');
    mkdirSync(nested, { recursive: true });
    const registry = new Registry();
    expect((await loadPlugin(file, { registry })).source).toBe(file);
    expect(await loadPlugin('installed-plugin', { cwd: nested, registry })).toMatchObject({ name: 'installed-plugin', source: 'installed-plugin' });
    expect(registry.ids('objective')).toEqual(['file-objective', 'installed-plugin-objective']);
  });

  it('says what is wrong: missing path, unbuilt entry, unknown package, no plugin export', async () => {
    const registry = new Registry();
    await expect(loadPlugin('./nowhere', { cwd: root, registry })).rejects.toThrow(`plugin path ${path.join(root, 'nowhere')} does not exist`);
    const unbuilt = path.join(root, 'unbuilt');
    mkdirSync(unbuilt);
    writeFileSync(path.join(unbuilt, 'package.json'), JSON.stringify({ name: 'unbuilt', main: 'dist/index.js' }));
    await expect(loadPlugin(unbuilt, { registry })).rejects.toThrow('has no built entry');
    await expect(loadPlugin('localbp-plugin-that-is-not-installed', { cwd: root, registry })).rejects.toThrow(
      `cannot find plugin package "localbp-plugin-that-is-not-installed" from ${root}: install it`,
    );
    const notPlugin = path.join(root, 'not-plugin.mjs');
    writeFileSync(notPlugin, 'export const answer = 42;\n');
    await expect(loadPlugin(notPlugin, { registry })).rejects.toThrow(PluginLoadError);
    await expect(loadPlugin(notPlugin, { registry })).rejects.toThrow('exports no plugin');
    const broken = path.join(root, 'broken.mjs');
    writeFileSync(broken, 'export default {;\n');
    await expect(loadPlugin(broken, { registry })).rejects.toThrow('failed to import');
    expect(registry.pluginNames()).toEqual([]);
  });

  it('refuses a plugin built for another spec major before it registers anything', async () => {
    pluginPackage(path.join(root, 'future'), 'future', LOCALBP_SPEC_VERSION + 1);
    const registry = new Registry();
    const attempt = loadPlugin('./future', { cwd: root, registry });
    await expect(attempt).rejects.toThrow(RegistryError);
    await expect(loadPlugin('./future', { cwd: root, registry })).rejects.toThrow(
      `plugin "future" was built for localbp plugin spec v${LOCALBP_SPEC_VERSION + 1}`,
    );
    expect(registry.ids('objective')).toEqual([]);
  });
});
