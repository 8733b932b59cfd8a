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

export type RegistryKind = keyof RegistryEntries;

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

/** A plugin: a bundle of registrations, refused when built for another spec major. */
export interface LocalbpPlugin {
  name: string;
  specVersion: number;
  register(registry: Registry): void;
}

const ID_PATTERN = /^[a-z][a-z0-9-]*(?::[a-z0-9-]+)?$/;

/** The one registry through which cells, objectives and (later) aggregators and datasets resolve by id. */
export class Registry {
  private readonly entries = new Map<string, Registration<RegistryKind>>();
  private readonly plugins = new Map<string, LocalbpPlugin>();

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

  has(kind: RegistryKind, id: string): boolean {
    return this.entries.has(`${kind}:${id}`);
  }

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

  ids(kind: RegistryKind): string[] {
    return this.list(kind).map((r) => r.id);
  }

  list(kind: RegistryKind): Array<{ id: string } & RegistrationInfo> {
    return [...this.entries.values()]
      .filter((r) => r.kind === kind)
      .map(({ id, description, source }) => ({ id, description, source }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  use(plugin: LocalbpPlugin): void {
    if (plugin.specVersion !== LOCALBP_SPEC_VERSION) {
      throw new RegistryError(
        `plugin "${plugin.name}" was built for localbp spec v${plugin.specVersion}, this is v${LOCALBP_SPEC_VERSION}; ` +
          `install a version of the plugin made for spec v${LOCALBP_SPEC_VERSION}`,
      );
    }
    if (this.plugins.has(plugin.name)) return;
    plugin.register(this);
    this.plugins.set(plugin.name, plugin);
  }

  pluginNames(): string[] {
    return [...this.plugins.keys()];
  }
}

/** The process-wide registry that built-ins and plugins register into. */
export const registry = new Registry();
