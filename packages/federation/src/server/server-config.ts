import { z } from 'zod';
import { federationModeSchema } from '../protocol/messages';

/**
 * Everything that defines a federated run. Stored in the state database on first start; a restarted
 * server continues with the stored configuration.
 */
export const federationConfigSchema = z
  .object({
    mode: federationModeSchema.default('data-parallel'),
    /** Data-parallel: rounds in total. Cell-distributed: rounds per stage (each cell, then the head). */
    rounds: z.number().int().positive(),
    localEpochs: z.number().int().positive().default(1),
    batchSize: z.number().int().positive().default(128),
    /** Share of present clients sampled each round. */
    fraction: z.number().gt(0).max(1).default(1),
    /** Clients that must be present before the first round starts. */
    waitForClients: z.number().int().positive().default(1),
    /**
     * After a restart, the first round waits for `waitForClients` at most this long, then goes on with whoever is
     * present (at least `minClients` and `quorum`): a client that left must never block the run for good.
     */
    crowdTimeoutMs: z.number().int().positive().default(120_000),
    /** Clients that must be present before any later round starts. */
    minClients: z.number().int().positive().default(1),
    /** Accepted updates a round needs to be committed; fewer and it is retried. */
    quorum: z.number().int().positive().default(1),
    roundTimeoutMs: z.number().int().positive().default(30 * 60_000),
    heartbeatMs: z.number().int().positive().default(2_000),
    /**
     * A selected client silent this long has vanished: the round stops waiting for it. Generous by default:
     * a client's heartbeats share its event loop with training, which on an overloaded machine can starve them.
     */
    heartbeatTimeoutMs: z.number().int().positive().default(120_000),
    aggregator: z.object({ id: z.string(), options: z.record(z.string(), z.unknown()).default({}) }).strict().default({ id: 'fedavg', options: {} }),
    /**
     * Client optimizer state between tasks. `reset` (default): every task starts with fresh AdamW moments, as in
     * FedAvg/FedOpt; a client's moments from an earlier round describe weights that no longer exist, and Adam's
     * long second-moment memory then shrinks every later step. `keep`: continue them (this project's earlier behaviour).
     */
    clientOptimizerState: z.enum(['reset', 'keep']).default('reset'),
    /** Per-unit L2 bound on (update − global weights): larger updates are rejected. */
    maxUpdateNorm: z.number().positive().default(1e4),
    /** Declared example counts above this are counted as this; absent = no absolute cap. */
    maxExamples: z.number().int().positive().optional(),
    /**
     * An update's example weight is capped at this multiple of the round's lower-median declared count (0 = off):
     * FedAvg weights by a number the client states, so without a cap one client can claim any share. 2 and the
     * norm clip's 2 leave Dirichlet(0.5) shards' honest spread alone (1 and 1 cost 4 points there).
     */
    examplesCapFactor: z.number().nonnegative().default(2),
    /** Deltas longer than this multiple of the round's lower-median delta norm are clipped to it (0 = off). */
    normClipFactor: z.number().nonnegative().default(2),
    /**
     * With ≥ 3 updates, leave out those whose delta's cosine with the round's coordinate-wise median delta is below
     * this (−1 = off). Slightly above 0, so noise (cosine ≈ 0) is left out as well as updates pulling backwards.
     */
    minCosine: z.number().min(-1).max(1).default(0.05),
    /** Unit versions an update may lag behind; 0 = only updates for the open round. */
    maxStaleness: z.number().int().nonnegative().default(0),
    /** Within the bound: count stale updates fully, or scale their weight by 1/(1 + staleness). */
    stalePolicy: z.enum(['accept', 'down-weight']).default('down-weight'),
    /** Per-cell assignment: client name → units it trains (cells and/or `head`); others train all. */
    assignments: z.record(z.string(), z.array(z.string()).min(1)).default({}),
    /** The model every participant builds (`createModel` config). */
    model: z.record(z.string(), z.unknown()),
    data: z.object({ dataset: z.string(), imageShape: z.array(z.number().int().positive()), numClasses: z.number().int().positive() }).strict(),
    seed: z.number().int().nonnegative().default(1),
    requestsPerSecond: z.number().positive().default(20),
    /** Largest request body; default: the full model's frame plus 1 MiB. */
    maxBodyBytes: z.number().int().positive().optional(),
  })
  .strict();

export type FederationConfig = z.infer<typeof federationConfigSchema>;
export type FederationConfigInput = z.input<typeof federationConfigSchema>;
