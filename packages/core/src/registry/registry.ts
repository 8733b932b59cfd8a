import type { CellFactory } from '../cell';
import type { ObjectiveFactory } from '../objective';
import { LOCALBP_SPEC_VERSION } from '../spec-version';
import { RegistryError } from './registry-error';

/**
 * What each registry kind holds. Packages that own a kind (federation's aggregators, datasets)
 * extend this interface by declaration merging, so the registry stays typed without core
 * depending on them.
 */
export interface RegistryEntries {
  cell: CellFactory;
  objective: ObjectiveFactory;
}

/** The kinds the registry holds: `cell`, `objective`, and those other packages add. */
export type RegistryKind = keyof RegistryEntries;

/** Optional facts about a registration, shown in listings and errors. */
export interface RegistrationInfo {
  description?: string;
  /** The package that registered it, shown in listings and errors. */
  source?: string;
}

interface Registration<K extends RegistryKind> extends RegistrationInfo {
  id: string;
  kind: K;
  value: RegistryEntries[K];
}

/**
 * A plugin: a bundle of registrations, refused when built for another spec major. A plugin module
 * exports one as its default export (or as `plugin`).
 */
export interface LocalbpPlugin {
  /** Usually the npm package name; a plugin is registered once per name. */
  name: string;
  /** The `LOCALBP_SPEC_VERSION` the plugin was written against, as a literal (not the imported constant). */
  specVersion: number;
  /** Registers the plugin's cells, objectives, models, datasets or aggregators by id. */
  register(registry: Registry): void;
}

const ID_PATTERN = /^[a-z][a-z0-9-]*(?::[a-z0-9-]+)?$/;

/** The one registry through which cells, objectives and (later) aggregators and datasets resolve by id. */
export class Registry {
  private readonly entries = new Map<string, Registration<RegistryKind>>();
  private readonly plugins = new Map<string, LocalbpPlugin>();

  /** Registers `value` under `kind:id`; re-registering the same value is a no-op, another value is refused. */
  register<K extends RegistryKind>(kind: K, id: string, value: RegistryEntries[K], info: RegistrationInfo = {}): void {
    if (!ID_PATTERN.test(id)) {
      throw new RegistryError(`invalid ${kind} id "${id}": use lowercase letters, digits and dashes (e.g. "my-cell")`);
    }
    const key = `${kind}:${id}`;
    const existing = this.entries.get(key);
    if (existing) {
      if (existing.value === value) return;
      throw new RegistryError(
        `${kind} "${id}" is already registered${existing.source ? ` by ${existing.source}` : ''}`,
      );
    }
    this.entries.set(key, { ...info, id, kind, value } as Registration<RegistryKind>);
  }

  /** Whether `kind:id` is registered. */
  has(kind: RegistryKind, id: string): boolean {
    return this.entries.has(`${kind}:${id}`);
  }

  /** The entry registered as `kind:id`; throws a `RegistryError` listing the registered ids. */
  get<K extends RegistryKind>(kind: K, id: string): RegistryEntries[K] {
    const found = this.entries.get(`${kind}:${id}`);
    if (!found) {
      const known = this.ids(kind);
      throw new RegistryError(
        `unknown ${kind} "${id}"; registered ${kind}s: ${known.length ? known.join(', ') : '(none)'}`,
      );
    }
    return found.value as RegistryEntries[K];
  }

  /** Registered ids of a kind, sorted. */
  ids(kind: RegistryKind): string[] {
    return this.list(kind).map((r) => r.id);
  }

  /** Registered entries of a kind with their description and source, sorted by id. */
  list(kind: RegistryKind): Array<{ id: string } & RegistrationInfo> {
    return [...this.entries.values()]
      .filter((r) => r.kind === kind)
      .map(({ id, description, source }) => ({ id, description, source }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Runs a plugin's `register` once (by name). A plugin built for another major of the plugin
   * contract is refused before it touches the registry: its cells would not honour this one's interfaces.
   */
  use(plugin: LocalbpPlugin): void {
    const name = typeof plugin?.name === 'string' && plugin.name !== '' ? plugin.name : '(unnamed)';
    if (typeof plugin?.register !== 'function' || !Number.isInteger(plugin.specVersion)) {
      throw new RegistryError(
        `plugin "${name}" is not a localbp plugin: expected { name: string, specVersion: integer, register(registry) }`,
      );
    }
    if (plugin.specVersion !== LOCALBP_SPEC_VERSION) {
      const fix =
        plugin.specVersion < LOCALBP_SPEC_VERSION
          ? `upgrade "${name}" to a release built for spec v${LOCALBP_SPEC_VERSION}`
          : `upgrade @localbp/* to a release that implements spec v${plugin.specVersion}, or use a release of "${name}" built for spec v${LOCALBP_SPEC_VERSION}`;
      throw new RegistryError(
        `plugin "${name}" was built for localbp plugin spec v${plugin.specVersion}, but this @localbp/core implements ` +
          `spec v${LOCALBP_SPEC_VERSION}; it was not loaded. To fix: ${fix}`,
      );
    }
    if (this.plugins.has(name)) return;
    plugin.register(this);
    this.plugins.set(name, plugin);
  }

  /** Names of the plugins loaded with `use`, in load order. */
  pluginNames(): string[] {
    return [...this.plugins.keys()];
  }
}

/** The process-wide registry that built-ins and plugins register into. */
export const registry = new Registry();
