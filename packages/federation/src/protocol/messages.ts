import { z } from 'zod';

/** Protocol major version: the `/v1` path prefix. A breaking change gets a new prefix. */
export const PROTOCOL_VERSION = 1;
/** Path prefix of every endpoint: `/v1`. */
export const API_PREFIX = `/v${PROTOCOL_VERSION}`;

/** A unit is a cell id (`cell-1` …) or `head`: the granularity of versions, tasks and aggregation. */
const unitId = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'unit ids are lowercase, e.g. cell-1 or head');
const versionMap = z.record(unitId, z.number().int().nonnegative());

/** `POST /v1/join` body. */
export const joinRequestSchema = z
  .object({
    client: z.object({ software: z.string().max(200), version: z.string().max(50).optional() }).strict(),
  })
  .strict();
/** `POST /v1/join` body. */
export type JoinRequest = z.infer<typeof joinRequestSchema>;

/** `data-parallel` or `cell-distributed`. */
export const federationModeSchema = z.enum(['data-parallel', 'cell-distributed']);

/** `POST /v1/join` answer: what to build and how to train. */
export const joinResponseSchema = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    clientId: z.string(),
    /** The model every participant builds: a `createModel` config (`model`, `cells`, `seed`, …). */
    model: z.record(z.string(), z.unknown()),
    data: z.object({ dataset: z.string(), imageShape: z.array(z.number().int().positive()), numClasses: z.number().int().positive() }).strict(),
    training: z
      .object({
        mode: federationModeSchema,
        localEpochs: z.number().int().positive(),
        batchSize: z.number().int().positive(),
        aggregator: z.string(),
      })
      .strict(),
    heartbeatMs: z.number().int().positive(),
    limits: z.object({ maxBodyBytes: z.number().int().positive(), requestsPerSecond: z.number().positive() }).strict(),
  })
  .strict();
/** `POST /v1/join` answer. */
export type JoinResponse = z.infer<typeof joinResponseSchema>;

/** The message of a task frame; its tensors are the current global weights of every unit. */
export const taskMessageSchema = z
  .object({
    type: z.literal('task'),
    round: z.number().int().positive(),
    taskId: z.string().min(1).max(100),
    /** Milliseconds left until the round's deadline when the task was sent. */
    deadlineMs: z.number().int().nonnegative(),
    /** Units to train and return (cells and/or `head`); the others stay frozen. */
    train: z.array(unitId).min(1),
    /** Current version of every unit; an update echoes the ones it was trained against. */
    versions: versionMap,
    localEpochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    /** FedProx μ; 0 = plain local training. */
    proximalMu: z.number().nonnegative(),
    /**
     * What the client does with its optimizer state (moments, step count) before training: `reset` starts fresh
     * each task, `keep` continues from its last task. Absent = `keep` (servers before this field).
     */
    optimizerState: z.enum(['reset', 'keep']).default('keep'),
  })
  .strict();
/** The message of a task frame. */
export type TaskMessage = z.infer<typeof taskMessageSchema>;

/** `GET /v1/task` answer when there is no task: wait or finished. */
export const taskPollResponseSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('wait'), round: z.number().int().nonnegative(), retryAfterMs: z.number().int().nonnegative() }).strict(),
  z.object({ type: z.literal('finished'), round: z.number().int().nonnegative() }).strict(),
]);
/** `GET /v1/task` answer without a task. */
export type TaskPollResponse = z.infer<typeof taskPollResponseSchema>;

/** The message of an update frame; its tensors are every weight of each unit listed. */
export const updateMessageSchema = z
  .object({
    type: z.literal('update'),
    round: z.number().int().positive(),
    taskId: z.string().min(1).max(100),
    /** Training examples seen per local epoch: FedAvg's weight. */
    examples: z.number().int().positive(),
    units: z
      .array(
        z
          .object({
            id: unitId,
            /** Version of this unit the client started from. */
            baseVersion: z.number().int().nonnegative(),
            /** Versions of the units below it that produced its inputs. */
            upstreamVersions: versionMap,
          })
          .strict(),
      )
      .min(1),
    /** Mean training losses, e.g. `loss/cell-1`, `loss/head`. */
    metrics: z.record(z.string().max(100), z.number()).default({}),
  })
  .strict();
/** The message of an update frame, validated. */
export type UpdateMessage = z.infer<typeof updateMessageSchema>;
/** The message of an update frame as a client writes it (`metrics` optional). */
export type UpdateMessageInput = z.input<typeof updateMessageSchema>;

/** `POST /v1/update` answer for an accepted update. */
export const updateResponseSchema = z
  .object({ accepted: z.literal(true), duplicate: z.boolean(), round: z.number().int().positive() })
  .strict();
/** `POST /v1/update` answer for an accepted update. */
export type UpdateResponse = z.infer<typeof updateResponseSchema>;

/** `POST /v1/heartbeat` body. */
export const heartbeatRequestSchema = z
  .object({ status: z.enum(['idle', 'training', 'uploading']), taskId: z.string().max(100).optional() })
  .strict();
/** `POST /v1/heartbeat` body. */
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;

/** `POST /v1/heartbeat` answer. */
export const heartbeatResponseSchema = z
  .object({ round: z.number().int().nonnegative(), state: z.enum(['waiting', 'training', 'finished']) })
  .strict();
/** `POST /v1/heartbeat` answer. */
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;

/** Body of every error response. */
export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }).strict() }).strict();
/** Body of every error response. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Header carrying a client-chosen key that makes retried uploads count once. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
