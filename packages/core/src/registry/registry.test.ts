import { describe, expect, it } from 'vitest';
import { LOCALBP_SPEC_VERSION } from '../spec-version';
import { createAutoencoderCell } from '../cells/autoencoder-cell';
import { registry } from '../index';
import { Registry } from './registry';
import { RegistryError } from './registry-error';

describe('Registry', () => {
  it('resolves registered entries by id and lists them sorted', () => {
    const r = new Registry();
    r.register('cell', 'zeta', createAutoencoderCell, { source: 'test' });
    r.register('cell', 'alpha', createAutoencoderCell);
    expect(r.get('cell', 'zeta')).toBe(createAutoencoderCell);
    expect(r.ids('cell')).toEqual(['alpha', 'zeta']);
    expect(r.has('objective', 'zeta')).toBe(false);
  });

  it('names the registered ids when an id is unknown', () => {
    const r = new Registry();
    r.register('cell', 'ae', createAutoencoderCell);
    expect(() => r.get('cell', 'xyz')).toThrow(RegistryError);
    expect(() => r.get('cell', 'xyz')).toThrow('unknown cell "xyz"; registered cells: ae');
    expect(() => r.get('objective', 'mse')).toThrow('registered objectives: (none)');
  });

  it('refuses a second, different entry under the same id but tolerates re-registration', () => {
    const r = new Registry();
    r.register('cell', 'ae', createAutoencoderCell, { source: 'first' });
    expect(() => r.register('cell', 'ae', createAutoencoderCell)).not.toThrow();
    expect(() => r.register('cell', 'ae', () => createAutoencoderCell as never)).toThrow('already registered by first');
  });

  it('rejects ids that would not survive a CLI flag', () => {
    expect(() => new Registry().register('cell', 'My Cell', createAutoencoderCell)).toThrow('invalid cell id');
  });

  it('loads plugins of its spec major and refuses others with a clear message', () => {
    const r = new Registry();
    let calls = 0;
    const plugin = { name: 'good', specVersion: LOCALBP_SPEC_VERSION, register: (x: Registry) => { calls++; x.register('cell', 'good-cell', createAutoencoderCell); } };
    r.use(plugin);
    r.use(plugin);
    expect(calls).toBe(1);
    expect(r.ids('cell')).toContain('good-cell');
    expect(r.pluginNames()).toEqual(['good']);
    expect(() => r.use({ name: 'future', specVersion: LOCALBP_SPEC_VERSION + 1, register: () => undefined })).toThrow(
      `plugin "future" was built for localbp plugin spec v${LOCALBP_SPEC_VERSION + 1}, but this @localbp/core implements ` +
        `spec v${LOCALBP_SPEC_VERSION}; it was not loaded. To fix: upgrade @localbp/* to a release that implements ` +
        `spec v${LOCALBP_SPEC_VERSION + 1}, or use a release of "future" built for spec v${LOCALBP_SPEC_VERSION}`,
    );
    expect(() => r.use({ name: 'old', specVersion: LOCALBP_SPEC_VERSION - 1, register: () => undefined })).toThrow(
      `To fix: upgrade "old" to a release built for spec v${LOCALBP_SPEC_VERSION}`,
    );
    expect(r.pluginNames()).toEqual(['good']);
  });

  it('refuses a module that is not a plugin, naming what a plugin looks like', () => {
    const r = new Registry();
    expect(() => r.use({ name: 'half', specVersion: 1.5, register: () => undefined })).toThrow(
      'plugin "half" is not a localbp plugin: expected { name: string, specVersion: integer, register(registry) }',
    );
    expect(() => r.use({ specVersion: LOCALBP_SPEC_VERSION } as never)).toThrow('plugin "(unnamed)" is not a localbp plugin');
  });

  it('the default registry holds the built-in cells', () => {
    expect(registry.ids('cell')).toEqual(expect.arrayContaining(['ae', 'dae']));
  });
});
