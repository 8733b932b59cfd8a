type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `{a: {b: 1}, c: [2]}` → `{'a.b': '1', 'c[0]': '2'}`: comparable leaves of a config. */
export function flattenConfig(value: Json, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, '[]');
    value.forEach((v, i) => flattenConfig(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) out.set(prefix, '{}');
    for (const k of keys) flattenConfig(value[k]!, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** Rows of a config comparison: every path, its value per run, and whether they differ. */
export function diffConfigs(configs: readonly Json[]): Array<{ path: string; values: Array<string | undefined>; differs: boolean }> {
  const flat = configs.map((c) => flattenConfig(c));
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  return paths.map((path) => {
    const values = flat.map((f) => f.get(path));
    return { path, values, differs: new Set(values).size > 1 };
  });
}
