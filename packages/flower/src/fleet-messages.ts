import { z } from 'zod';

/**
 * Fleet API messages as plain objects (snake_case field names of the .proto, 64-bit integers as decimal strings,
 * bytes as Uint8Array). Every decoded response goes through these schemas before the node acts on it.
 */
const int64 = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform((v) => String(v));
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "expected bytes");

export const nodeSchema = z.object({ node_id: int64, anonymous: z.boolean().default(false) });
export type FleetNode = z.infer<typeof nodeSchema>;

const doubleList = z.object({ vals: z.array(z.number()) });
const sint64List = z.object({ vals: z.array(int64) });
export const scalarValueSchema = z.object({
  double: z.number().optional(),
  sint64: int64.optional(),
  bool: z.boolean().optional(),
  string: z.string().optional(),
  bytes: bytes.optional(),
  double_list: doubleList.optional(),
  sint64_list: sint64List.optional(),
  bool_list: z.object({ vals: z.array(z.boolean()) }).optional(),
  string_list: z.object({ vals: z.array(z.string()) }).optional(),
  bytes_list: z.object({ vals: z.array(bytes) }).optional(),
});
export type ScalarValue = z.infer<typeof scalarValueSchema>;

export const arraySchema = z.object({ dtype: z.string(), shape: z.array(z.number().int()), stype: z.string(), data: bytes });
export const parametersRecordSchema = z
  .object({ data_keys: z.array(z.string()).default([]), data_values: z.array(arraySchema).default([]) })
  .refine((r) => r.data_keys.length === r.data_values.length, 'ParametersRecord: data_keys and data_values differ in length');
const valueMap = z.object({ data: z.record(z.string(), scalarValueSchema).default({}) });
export const recordSetSchema = z.object({
  parameters: z.record(z.string(), parametersRecordSchema).default({}),
  metrics: z.record(z.string(), valueMap).default({}),
  configs: z.record(z.string(), valueMap).default({}),
});
/** A validated RecordSet as received. */
export type RecordSetMessage = z.infer<typeof recordSetSchema>;

export const errorSchema = z.object({ code: int64, reason: z.string() });

export const taskSchema = z.object({
  producer: nodeSchema.nullish(),
  consumer: nodeSchema.nullish(),
  created_at: z.number(),
  delivered_at: z.string().default(''),
  pushed_at: z.number().default(0),
  ttl: z.number(),
  ancestry: z.array(z.string()).default([]),
  task_type: z.string(),
  recordset: recordSetSchema.nullish(),
  error: errorSchema.nullish(),
});
export const taskInsSchema = z.object({ task_id: z.string().min(1), group_id: z.string(), run_id: int64, task: taskSchema });
/** A validated task instruction from the SuperLink. */
export type TaskIns = z.infer<typeof taskInsSchema>;

export const createNodeResponseSchema = z.object({ node: nodeSchema });
export const pingResponseSchema = z.object({ success: z.boolean().default(false) });
export const pullTaskInsResponseSchema = z.object({ task_ins_list: z.array(taskInsSchema).default([]) });
export const pushTaskResResponseSchema = z.object({ results: z.record(z.string(), z.number()).default({}) });
export const getRunResponseSchema = z.object({
  run: z.object({ run_id: int64, fab_id: z.string().default(''), fab_version: z.string().default('') }).passthrough(),
});
export const emptySchema = z.object({}).passthrough();

/** What the node sends back for one task (encoded as a TaskRes). */
export interface TaskResInput {
  task_id: '';
  group_id: string;
  run_id: string;
  task: {
    producer: { node_id: string; anonymous: false };
    consumer: { node_id: '0'; anonymous: true };
    created_at: number;
    pushed_at: number;
    ttl: number;
    ancestry: string[];
    task_type: string;
    recordset?: RecordSetInput;
    error?: { code: number; reason: string };
  };
}

/** A RecordSet to encode: parameters as ordered Array records, metrics/config values as one scalar each. */
export interface RecordSetInput {
  parameters: Record<string, { data_keys: string[]; data_values: Array<{ dtype: string; shape: number[]; stype: string; data: Uint8Array }> }>;
  metrics: Record<string, { data: Record<string, { double: number } | { sint64: string }> }>;
  configs: Record<string, { data: Record<string, ConfigValueInput> }>;
}
export type ConfigValueInput = { double: number } | { sint64: string } | { bool: boolean } | { string: string };

/** Request bodies of the Fleet RPCs. */
export interface FleetRequests {
  CreateNode: { ping_interval: number };
  DeleteNode: { node: { node_id: string; anonymous: boolean } };
  Ping: { node: { node_id: string; anonymous: boolean }; ping_interval: number };
  PullTaskIns: { node: { node_id: string; anonymous: boolean }; task_ids: string[] };
  PushTaskRes: { task_res_list: TaskResInput[] };
  GetRun: { run_id: string };
}

/** Schemas of the Fleet RPCs' responses. */
export const FLEET_RESPONSE_SCHEMAS = {
  CreateNode: createNodeResponseSchema,
  DeleteNode: emptySchema,
  Ping: pingResponseSchema,
  PullTaskIns: pullTaskInsResponseSchema,
  PushTaskRes: pushTaskResResponseSchema,
  GetRun: getRunResponseSchema,
} as const;
/** Validated responses of the Fleet RPCs. */
export type FleetResponses = { [M in keyof typeof FLEET_RESPONSE_SCHEMAS]: z.infer<(typeof FLEET_RESPONSE_SCHEMAS)[M]> };
