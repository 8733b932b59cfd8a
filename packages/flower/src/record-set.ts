import type { ConfigValueInput, RecordSetInput, RecordSetMessage, ScalarValue } from './fleet-messages';
import { decodeNpy, encodeNpy, type NpyArray } from './npy-codec';

/** A config or metric value as NumPy clients see it. */
export type Scalar = number | string | boolean;

/** A task whose records are not what a NumPy client expects. */
export class RecordSetError extends Error {
  override name = 'RecordSetError';
}

/** The arrays of `record` in the order Flower keeps them (its `data_keys`), decoded from `.npy`. */
export function readParameters(recordset: RecordSetMessage, record: string): NpyArray[] {
  const params = recordset.parameters[record];
  if (!params) throw new RecordSetError(`the task has no parameters record "${record}" (it has: ${Object.keys(recordset.parameters).join(', ') || 'none'})`);
  // Flower marks "no parameters" with one empty array under this key.
  return params.data_values.filter((_, i) => params.data_keys[i] !== 'empty_tensor').map((a) => decodeNpy(a.data));
}

function scalarOf(key: string, v: ScalarValue): Scalar {
  if (v.double !== undefined) return v.double;
  if (v.sint64 !== undefined) return Number(v.sint64);
  if (v.bool !== undefined) return v.bool;
  if (v.string !== undefined) return v.string;
  throw new RecordSetError(`config "${key}" holds a list or bytes; NumPy-client configs are scalars`);
}

/** A configs record as `{key: scalar}`; absent record = `{}`. */
export function readConfig(recordset: RecordSetMessage, record: string): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(recordset.configs[record]?.data ?? {})) out[key] = scalarOf(key, value);
  return out;
}

/** Arrays as a ParametersRecord the way Flower's compat layer writes one: keys "0", "1", …, `.npy` data. */
export function parametersRecord(arrays: readonly NpyArray[]): RecordSetInput['parameters'][string] {
  if (arrays.length === 0) return { data_keys: ['empty_tensor'], data_values: [{ dtype: '', shape: [], stype: 'numpy.ndarray', data: new Uint8Array() }] };
  return {
    data_keys: arrays.map((_, i) => String(i)),
    data_values: arrays.map((a) => ({ dtype: '', shape: [], stype: 'numpy.ndarray', data: encodeNpy(a) })),
  };
}

/** Integers as sint64 and other numbers as double, as Python's ints and floats travel. */
export function configValue(value: Scalar): ConfigValueInput {
  if (typeof value === 'boolean') return { bool: value };
  if (typeof value === 'string') return { string: value };
  return Number.isInteger(value) ? { sint64: String(value) } : { double: value };
}

export function configsRecord(values: Record<string, Scalar>): { data: Record<string, ConfigValueInput> } {
  return { data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, configValue(v)])) };
}

/** Flower's `Status(code=OK)` record of a legacy reply. */
export function okStatus(): { data: Record<string, ConfigValueInput> } {
  return configsRecord({ code: 0, message: 'Success' });
}
