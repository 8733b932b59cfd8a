import type { Command, Option } from '@commander-js/extra-typings';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from './cli-errors';

/** Options that make no sense inside a config file. */
const NOT_IN_FILE = new Set(['config', 'configSchema', 'resume', 'help', 'version']);

/** File extensions `--config` reads, and how. */
export const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json', '.mjs', '.js', '.ts', '.mts'] as const;

/** A config file that cannot be read or parsed (validation problems are usage errors instead). */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

/** A flag's value as commander holds it: text, on/off, or the values of a repeatable flag. */
type FlagValue = string | boolean | string[];

interface Key {
  name: string;
  /** Repeatable (`--plugin a --plugin b`): file and command line values are combined. */
  repeatable: boolean;
  schema: z.ZodType;
}

/** The options of `cmd` grouped by key (`--store <path>` and `--no-store` share `store`). */
function optionsByKey(cmd: Command<unknown[], Record<string, unknown>>): Map<string, Option[]> {
  const byKey = new Map<string, Option[]>();
  for (const option of cmd.options as unknown as Option[]) {
    const key = option.attributeName();
    if (NOT_IN_FILE.has(key)) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), option]);
  }
  return byKey;
}

function keyOf(name: string, options: Option[]): Key {
  const valued = options.find((o) => o.required || o.optional);
  const switches = options.some((o) => !o.required && !o.optional);
  const repeatable = Array.isArray(valued?.defaultValue);
  let schema: z.ZodType;
  const scalar = z.union([z.string(), z.number()]);
  if (!valued) schema = z.boolean();
  else if (repeatable) schema = z.union([z.string(), z.array(z.string())]);
  else if (valued.argChoices) schema = z.enum(valued.argChoices as [string, ...string[]]);
  // Lists (cells, head widths) may be written as YAML/JSON arrays; numeric flags (<n>, <x>) as numbers.
  else if (/comma-separated/.test(valued.description)) schema = z.union([scalar, z.array(scalar).min(1)]);
  else if (/<(n|x)>/.test(valued.flags)) schema = scalar;
  else schema = z.string();
  if (valued && switches) schema = z.union([schema, z.boolean()]);
  const main = valued ?? options[0]!;
  const fallback = main.defaultValue;
  const shown = Array.isArray(fallback) ? '' : fallback === undefined || fallback === false ? '' : ` (default: ${String(fallback)})`;
  const flags = options.map((o) => o.long).join(' / ');
  return { name, repeatable, schema: schema.describe(`${flags}: ${main.description}${shown}`) };
}

/**
 * The one schema of `localbp train`'s config file, built from the command's own options so that every flag
 * (including those added later) is a config key: camelCase names (`batchSize` for `--batch-size`), numbers or
 * text for values, arrays for lists, booleans for switches. Values are then checked by the same code as flags.
 */
export function trainConfigSchema(cmd: Command<unknown[], Record<string, unknown>>): { schema: z.ZodObject; keys: Key[] } {
  const keys = [...optionsByKey(cmd)].map(([name, options]) => keyOf(name, options));
  const shape = Object.fromEntries(keys.map((k) => [k.name, k.schema.optional()]));
  return { schema: z.strictObject(shape).describe('localbp train --config file: the same options as the flags'), keys };
}

/** The config file's JSON Schema, for editors (`# yaml-language-server: $schema=…`). */
export function trainConfigJsonSchema(cmd: Command<unknown[], Record<string, unknown>>): Record<string, unknown> {
  return { ...z.toJSONSchema(trainConfigSchema(cmd).schema), title: 'localbp train config' };
}

/** Help text listing the config keys, from the same schema. */
export function trainConfigHelp(cmd: Command<unknown[], Record<string, unknown>>): string {
  const { keys } = trainConfigSchema(cmd);
  const lines = [
    '',
    `Config file (--config exp.yaml|.yml|.json|.mjs|.js): an object whose keys are the flags in camelCase;`,
    'flags given on the command line override it (--plugin adds to its plugins). Keys:',
  ];
  let line = ' ';
  for (const { name } of keys) {
    if (line.length + name.length > 100) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${name}`;
  }
  lines.push(line, 'JSON Schema for editors: localbp train --config-schema (also dist/train-config.schema.json).', '');
  return lines.join('\n');
}

async function readConfigObject(file: string): Promise<unknown> {
  const ext = path.extname(file).toLowerCase();
  if (!(CONFIG_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new UsageError(`--config ${file}: unsupported extension "${ext}"; use one of ${CONFIG_EXTENSIONS.join(', ')}`);
  }
  if (['.mjs', '.js', '.ts', '.mts'].includes(ext)) {
    try {
      const module = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
      return module.default ?? module;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
        // Node < 22.6 cannot strip types; a loader such as tsx would be a heavy dependency for this alone.
        throw new ConfigFileError(`${file}: this Node (${process.version}) cannot import TypeScript; write the config as .mjs or .js (same content, no types), .json or .yaml`);
      }
      throw new ConfigFileError(`${file} failed to import: ${(err as Error).message}`);
    }
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigFileError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    return ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigFileError(`${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
}

function toFlagValue(value: unknown, key: Key, file: string): FlagValue {
  if (typeof value === 'boolean') return value;
  const list = Array.isArray(value) ? value.map(String) : [String(value)];
  if (!key.repeatable) return list.join(',');
  // Plugin paths in a file are relative to the file, so the file works from any directory.
  return key.name === 'plugin' ? list.map((p) => (/^\.\.?[\\/]/.test(p) ? path.resolve(path.dirname(file), p) : p)) : list;
}

/**
 * Reads `file`, validates it against the schema, and sets its values on `cmd` wherever the command line did not
 * give the option (command-line values win; repeatable options combine, file first).
 */
export async function applyTrainConfigFile(cmd: Command<unknown[], Record<string, unknown>>, file: string): Promise<void> {
  const { schema, keys } = trainConfigSchema(cmd);
  const parsed = schema.safeParse(await readConfigObject(file));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`);
    throw new UsageError(`${file}: ${problems.join('; ')} (valid keys: ${keys.map((k) => k.name).join(', ')})`);
  }
  for (const key of keys) {
    const raw = (parsed.data as Record<string, unknown>)[key.name];
    if (raw === undefined) continue;
    const value = toFlagValue(raw, key, file);
    if (cmd.getOptionValueSource(key.name) === 'cli') {
      if (key.repeatable) cmd.setOptionValueWithSource(key.name, [...(value as string[]), ...(cmd.getOptionValue(key.name) as string[])], 'cli');
      continue;
    }
    cmd.setOptionValueWithSource(key.name, value, 'config');
  }
}

/**
 * Every option's final value (file, flags and defaults merged): what a run records as its resolved config. `out`
 * is left out, so that training again from the record cannot overwrite the recorded run.
 */
export function resolvedTrainConfig(cmd: Command<unknown[], Record<string, unknown>>): Record<string, FlagValue> {
  const resolved: Record<string, FlagValue> = {};
  for (const { name } of trainConfigSchema(cmd).keys) {
    if (name === 'out') continue;
    const value = cmd.getOptionValue(name) as FlagValue | undefined;
    if (value !== undefined) resolved[name] = value;
  }
  return resolved;
}
