import { deriveSeed } from '@localbp/core';
import { SeededRandom } from '@localbp/datasets';
import type { Aggregator } from '../aggregator';
import { FederationError, type FederationErrorCode } from '../protocol/federation-error';
import type { TaskMessage, UpdateMessage, UpdateResponse } from '../protocol/messages';
import { unitOfWeight, type WeightArray } from '../protocol/weight-array';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleStride, type InfluenceAdjustment } from './bounded-influence';
import type { ClientRoundReport, RoundReport } from './round-report';
import type { FederationConfig } from './server-config';
import { UnitRoundStream } from './unit-round-stream';
import { UpdateSpool } from './update-spool';
import { validateUpdate } from './update-validation';

export interface CoordinatorState {
  /** Last completed round (0 = none yet). */
  round: number;
  versions: Record<string, number>;
  weights: WeightArray[];
  history: RoundReport[];
}

export interface CoordinatorDeps {
  config: FederationConfig;
  aggregator: Aggregator;
  state: CoordinatorState;
  /** Persists a completed round before it counts (the server's SQLite database). */
  commit(round: number, versions: Record<string, number>, weights: readonly WeightArray[], report: RoundReport): Promise<void>;
  /** Test accuracy of the given global weights, or null when the server has no test data. */
  evaluate?(weights: readonly WeightArray[]): Promise<number | null>;
  log(message: string): void;
  /** The state database already held this run: the first round waits for the crowd at most `crowdTimeoutMs`. */
  restarted?: boolean;
  onRoundComplete?(report: RoundReport): void;
  now?(): number;
  /**
   * Directory for the open round's spooled updates (removed when each round closes); default: a fresh one under
   * the system's temporary directory. The server puts it next to its state database.
   */
  spoolDir?: string;
  /** Test hook (fault injection): awaited mid-aggregation and after a committed round; absent in production. */
  faultPoint?(name: 'aggregate' | 'between-rounds', round: number): Promise<void>;
}

export type PollResult =
  | { kind: 'task'; message: TaskMessage; tensors: WeightArray[] }
  | { kind: 'wait'; round: number; retryAfterMs: number }
  | { kind: 'finished'; round: number };

interface Task {
  id: string;
  client: string;
  round: number;
  attempt: number;
  units: string[];
  versions: Record<string, number>;
}

interface Outcome {
  accepted: boolean;
  examples: number;
  loss: number | null;
  staleness?: number;
  rejected?: { code: FederationErrorCode; reason: string };
}

interface OpenRound {
  round: number;
  attempt: number;
  startedAt: number;
  deadline: number;
  /** Selected client → its task. */
  tasks: Map<string, Task>;
  outcomes: Map<string, Outcome>;
  /** Accepted updates per unit, including late ones within the staleness bound: statistics in memory, weights on disk. */
  streams: Map<string, UnitRoundStream>;
  spool: UpdateSpool;
  /** Late uploads (from an earlier task) accepted into this round, by client. */
  late: Map<string, Outcome>;
}

type StoredReply = { ok: UpdateResponse } | { error: FederationError };

/**
 * The server's round logic, free of HTTP: who trains what each round, accepting or rejecting
 * updates, closing rounds on completion, vanished clients or the deadline, aggregating each unit
 * separately, and committing the result before it counts.
 */
export class RoundCoordinator {
  private readonly config: FederationConfig;
  private readonly spoolDir: string;
  private readonly units: string[];
  private readonly unitWeights = new Map<string, WeightArray[]>();
  private versions: Record<string, number>;
  private completed: number;
  private readonly history: RoundReport[];
  private readonly lastSeen = new Map<string, number>();
  private registered: string[] = [];
  private open: OpenRound | null = null;
  private closing = false;
  private attempt = 1;
  private roundsStarted = 0;
  private settleUntil = 0;
  private readonly startedAt: number;
  private crowdTimedOut = false;
  private readonly tasks = new Map<string, Task>();
  private readonly replies = new Map<string, StoredReply>();
  private readonly now: () => number;
  private resolveFinished!: (history: RoundReport[]) => void;
  /** Resolves with every round's report once the last round is committed. */
  readonly finished: Promise<RoundReport[]>;

  constructor(private readonly deps: CoordinatorDeps) {
    this.config = deps.config;
    this.spoolDir = deps.spoolDir ?? path.join(tmpdir(), `localbp-spool-${process.pid}-${randomBytes(4).toString('hex')}`);
    this.now = deps.now ?? (() => Date.now());
    for (const w of deps.state.weights) {
      const unit = unitOfWeight(w.name);
      if (!this.unitWeights.has(unit)) this.unitWeights.set(unit, []);
      this.unitWeights.get(unit)!.push(w);
    }
    // Cells in model order, the classifier last.
    this.units = [...this.unitWeights.keys()].sort((a, b) => (a === 'head' ? 1 : b === 'head' ? -1 : 0));
    this.versions = Object.fromEntries(this.units.map((u) => [u, deps.state.versions[u] ?? 0]));
    this.completed = deps.state.round;
    this.startedAt = this.now();
    this.history = [...deps.state.history];
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    if (this.isFinished()) this.resolveFinished(this.history);
  }

  /** Rounds in the whole run: data-parallel `rounds`; cell-distributed `rounds` per cell plus the head. */
  get totalRounds(): number {
    return this.config.mode === 'data-parallel' ? this.config.rounds : this.config.rounds * this.units.length;
  }

  get round(): number {
    return this.completed;
  }

  get unitIds(): readonly string[] {
    return this.units;
  }

  currentVersions(): Record<string, number> {
    return { ...this.versions };
  }

  currentWeights(): WeightArray[] {
    return this.units.flatMap((u) => this.unitWeights.get(u)!);
  }

  reports(): RoundReport[] {
    return [...this.history];
  }

  isFinished(): boolean {
    return this.completed >= this.totalRounds;
  }

  state(): 'waiting' | 'training' | 'finished' {
    return this.isFinished() ? 'finished' : this.open ? 'training' : 'waiting';
  }

  /** Client names in the order they were provisioned (cell ownership follows it). */
  setRegisteredClients(names: readonly string[]): void {
    this.registered = [...names];
  }

  /** Any authenticated request is a sign of life. */
  see(client: string): void {
    this.lastSeen.set(client, this.now());
  }

  private present(client: string): boolean {
    const seen = this.lastSeen.get(client);
    return seen !== undefined && this.now() - seen <= this.config.heartbeatTimeoutMs;
  }

  /** Units trained in round `round` and the clients eligible for it. */
  private plan(round: number): { units: string[]; eligible: string[] } {
    if (this.config.mode === 'data-parallel') return { units: this.units, eligible: this.registered };
    const stage = Math.min(this.units.length - 1, Math.floor((round - 1) / this.config.rounds));
    const unit = this.units[stage]!;
    const cells = this.units.length - 1;
    // Participant k owns cell k (k-th provisioned client, wrapping); every client trains the head.
    const eligible = unit === 'head' ? this.registered : this.registered.filter((_, i) => i % cells === stage);
    return { units: [unit], eligible };
  }

  private unitsFor(client: string, planned: readonly string[]): string[] {
    const assigned = this.config.assignments[client];
    return assigned ? planned.filter((u) => assigned.includes(u)) : [...planned];
  }

  private maybeStartRound(): void {
    if (this.open || this.closing || this.isFinished()) return;
    // Closing a round (aggregation, evaluation) can stall the event loop for a while: let every live
    // client poll again before deciding who is present.
    if (this.now() < this.settleUntil) return;
    const round = this.completed + 1;
    const plan = this.plan(round);
    const candidates = plan.eligible.filter((c) => this.present(c) && this.unitsFor(c, plan.units).length > 0).sort();
    // The first round this process runs waits for the whole expected crowd; after a restart only for
    // `crowdTimeoutMs`, then for whoever is there (enough for a quorum).
    const crowdOver = this.deps.restarted === true && this.now() - this.startedAt >= this.config.crowdTimeoutMs;
    const wanted = this.roundsStarted === 0 && !crowdOver ? this.config.waitForClients : Math.max(this.config.minClients, this.roundsStarted === 0 ? this.config.quorum : 1);
    const eligibleCount = plan.eligible.filter((c) => this.unitsFor(c, plan.units).length > 0).length;
    if (candidates.length === 0 || candidates.length < Math.min(wanted, eligibleCount)) return;
    if (this.roundsStarted === 0 && crowdOver && candidates.length < Math.min(this.config.waitForClients, eligibleCount) && !this.crowdTimedOut) {
      this.crowdTimedOut = true;
      this.deps.log(
        `crowd timeout: waited ${Math.round(this.config.crowdTimeoutMs / 1000)} s for ${this.config.waitForClients} clients after the restart; going on with the ${candidates.length} present`,
      );
    }
    const count = Math.min(candidates.length, Math.max(Math.min(this.config.quorum, candidates.length), Math.ceil(this.config.fraction * candidates.length)));
    const selected = seededShuffle(candidates, deriveSeed(this.config.seed, round, this.attempt)).slice(0, count);
    const startedAt = this.now();
    const open: OpenRound = {
      round,
      attempt: this.attempt,
      startedAt,
      deadline: startedAt + this.config.roundTimeoutMs,
      tasks: new Map(),
      outcomes: new Map(),
      streams: new Map(),
      spool: new UpdateSpool(this.spoolDir, `round-${round}-attempt-${this.attempt}.f32`),
      late: new Map(),
    };
    for (const client of selected) {
      const task: Task = {
        id: `r${round}a${this.attempt}-${client}-${Math.random().toString(36).slice(2, 10)}`,
        client,
        round,
        attempt: this.attempt,
        units: this.unitsFor(client, plan.units),
        versions: { ...this.versions },
      };
      open.tasks.set(client, task);
      this.tasks.set(task.id, task);
    }
    this.open = open;
    this.roundsStarted++;
    this.deps.log(`round ${round}${this.attempt > 1 ? ` (attempt ${this.attempt})` : ''}: ${selected.length} of ${candidates.length} present clients selected: ${selected.join(', ')}`);
  }

  poll(client: string): PollResult {
    this.see(client);
    if (this.isFinished()) return { kind: 'finished', round: this.completed };
    this.maybeStartRound();
    const open = this.open;
    const task = open?.tasks.get(client);
    if (!open || !task || open.outcomes.has(client) || this.closing) {
      return { kind: 'wait', round: this.completed, retryAfterMs: Math.min(1000, this.config.heartbeatMs) };
    }
    const message: TaskMessage = {
      type: 'task',
      round: task.round,
      taskId: task.id,
      deadlineMs: Math.max(0, open.deadline - this.now()),
      train: task.units,
      versions: task.versions,
      localEpochs: this.config.localEpochs,
      batchSize: this.config.batchSize,
      proximalMu: this.deps.aggregator.clientTraining?.proximalMu ?? 0,
      optimizerState: this.config.clientOptimizerState,
    };
    return { kind: 'task', message, tensors: this.currentWeights() };
  }

  /** Records a failure that happened before an update could be read (bad body, too large): the round stops waiting for it. */
  recordRejection(client: string, error: FederationError): void {
    const open = this.open;
    if (open && open.tasks.has(client) && !open.outcomes.has(client) && !this.closing) {
      open.outcomes.set(client, { accepted: false, examples: 0, loss: null, rejected: { code: error.code, reason: error.message } });
      this.deps.log(`round ${open.round}: rejected upload of ${client}: ${error.code}: ${error.message}`);
    }
  }

  /**
   * Validates and stores one client's update. A retried upload with the same idempotency key gets
   * the first reply again and is counted once.
   */
  submit(client: string, message: UpdateMessage, tensors: readonly WeightArray[], idempotencyKey: string | null): UpdateResponse {
    this.see(client);
    const replyKey = idempotencyKey ? `${client}\u0000${idempotencyKey}` : null;
    const stored = replyKey ? this.replies.get(replyKey) : undefined;
    if (stored) {
      if ('ok' in stored) return { ...stored.ok, duplicate: true };
      throw stored.error;
    }
    const remember = (reply: StoredReply) => {
      if (replyKey) this.replies.set(replyKey, reply);
    };
    try {
      const response = this.accept(client, message, tensors);
      remember({ ok: response });
      return response;
    } catch (err) {
      if (err instanceof FederationError) {
        remember({ error: err });
        const open = this.open;
        const inOpen = open && open.tasks.get(client)?.id === message.taskId && !this.closing;
        if (inOpen && !open.outcomes.has(client)) {
          open.outcomes.set(client, { accepted: false, examples: 0, loss: null, rejected: { code: err.code, reason: err.message } });
        }
        this.deps.log(`round ${open?.round ?? this.completed + 1}: rejected update of ${client}: ${err.code}: ${err.message}`);
      }
      throw err;
    }
  }

  private accept(client: string, message: UpdateMessage, tensors: readonly WeightArray[]): UpdateResponse {
    const task = this.tasks.get(message.taskId);
    if (!task || task.client !== client) {
      throw new FederationError('wrong-round', `task ${message.taskId} is not an open task of this client (the server may have restarted): ask for a new task`);
    }
    if (message.round !== task.round) throw new FederationError('bad-request', `task ${task.id} belongs to round ${task.round}, not ${message.round}`);
    for (const unit of message.units) {
      const upstream = this.upstreamOf(unit.id);
      const expected = Object.fromEntries(upstream.map((u) => [u, task.versions[u] ?? 0]));
      if (unit.baseVersion !== task.versions[unit.id] || !sameVersions(unit.upstreamVersions, expected)) {
        throw new FederationError(
          'bad-request',
          `unit "${unit.id}" claims versions ${JSON.stringify({ base: unit.baseVersion, upstream: unit.upstreamVersions })}; task ${task.id} sent ${JSON.stringify({ base: task.versions[unit.id], upstream: expected })}`,
        );
      }
    }
    // Staleness: how far the unit itself or anything it was trained on has moved since the task.
    let staleness = 0;
    for (const unit of message.units) {
      for (const u of [unit.id, ...this.upstreamOf(unit.id)]) staleness = Math.max(staleness, (this.versions[u] ?? 0) - (task.versions[u] ?? 0));
    }
    if (staleness > this.config.maxStaleness) {
      throw new FederationError('stale-update', `the update is ${staleness} version(s) behind; this server accepts at most ${this.config.maxStaleness}`);
    }
    const open = this.open;
    if (!open || this.closing) throw new FederationError('wrong-round', `no round is open for updates right now (last completed: ${this.completed})`);
    // An update from a failed attempt of this same round starts from the same weights: it answers the
    // client's current task (counted once), or joins as an extra update if the client was not re-selected.
    const current = open.tasks.get(client)?.id === task.id || (task.round === open.round && open.tasks.has(client));
    if (current && open.outcomes.has(client)) throw new FederationError('already-submitted', `${client} already submitted for round ${open.round}`);
    if (!current && open.late.has(client)) throw new FederationError('already-submitted', `${client} already had a late update accepted into round ${open.round}`);
    const grouped = validateUpdate(message, tensors, {
      units: this.unitWeights,
      assigned: new Set(task.units),
      maxUpdateNorm: this.config.maxUpdateNorm,
    });
    const scale = staleness > 0 && this.config.stalePolicy === 'down-weight' ? 1 / (1 + staleness) : 1;
    for (const unit of message.units) {
      let stream = open.streams.get(unit.id);
      if (!stream) {
        const global = this.unitWeights.get(unit.id)!;
        const size = global.reduce((n, g) => n + g.values.length, 0);
        stream = new UnitRoundStream(unit.id, global, open.spool, sampleStride(size, open.tasks.size), this.config, this.deps.aggregator);
        open.streams.set(unit.id, stream);
      }
      stream.add({
        cellId: unit.id,
        clientId: client,
        examples: message.examples,
        baseVersion: unit.baseVersion,
        upstreamVersions: unit.upstreamVersions,
        ...(scale !== 1 ? { scale } : {}),
        weights: grouped.get(unit.id)!,
      });
    }
    const outcome: Outcome = { accepted: true, examples: message.examples, loss: reportedLoss(message), ...(staleness ? { staleness } : {}) };
    if (current) open.outcomes.set(client, outcome);
    else open.late.set(client, outcome);
    this.deps.log(`round ${open.round}: accepted ${client} (${message.units.map((u) => u.id).join(', ')}; ${message.examples} examples${staleness ? `; ${staleness} behind` : ''})`);
    return { accepted: true, duplicate: false, round: open.round };
  }

  /** Units whose outputs feed `unit`: the cells before it; every cell for the head. */
  private upstreamOf(unit: string): string[] {
    const index = this.units.indexOf(unit);
    return index < 0 ? [] : this.units.slice(0, index).filter((u) => u !== 'head');
  }

  /** Closes the open round when every selected client answered or vanished, or the deadline passed. */
  async tick(): Promise<void> {
    const open = this.open;
    if (!open || this.closing) {
      this.maybeStartRound();
      return;
    }
    const now = this.now();
    const waiting = [...open.tasks.keys()].filter((c) => !open.outcomes.has(c) && this.present(c));
    if (waiting.length > 0 && now < open.deadline) return;
    this.closing = true;
    try {
      await this.close(open, now >= open.deadline && waiting.length > 0);
      // Still closing: no round starts while a test holds the server here.
      if (this.deps.faultPoint && this.completed === open.round && !this.isFinished()) await this.deps.faultPoint('between-rounds', open.round);
    } finally {
      open.spool.dispose();
      this.open = null;
      this.closing = false;
      this.settleUntil = this.now() + Math.min(this.config.heartbeatTimeoutMs, 2 * this.config.heartbeatMs + 500);
    }
    if (this.isFinished()) this.resolveFinished(this.history);
  }

  private async close(open: OpenRound, timedOut: boolean): Promise<void> {
    const accepted = [...open.outcomes.values(), ...open.late.values()].filter((o) => o.accepted).length;
    const clients: ClientRoundReport[] = [...open.tasks.values()].map((task) => {
      const o = open.outcomes.get(task.client);
      return {
        clientId: task.client,
        participated: o?.accepted ?? false,
        cells: task.units,
        examples: o?.examples ?? 0,
        loss: o?.loss ?? null,
        ...(o?.rejected ? { rejected: o.rejected } : {}),
        ...(o ? {} : { vanished: true }),
      };
    });
    for (const [client, o] of open.late) {
      clients.push({ clientId: client, participated: true, cells: [], examples: o.examples, loss: o.loss, ...(o.staleness ? { staleness: o.staleness } : {}) });
    }
    const vanished = clients.filter((c) => c.vanished).map((c) => c.clientId);
    if (accepted < this.config.quorum) {
      this.deps.log(
        `round ${open.round} failed: ${accepted} accepted update(s), quorum ${this.config.quorum}${timedOut ? ' (deadline passed)' : ''}${vanished.length ? `; vanished: ${vanished.join(', ')}` : ''}; retrying with a new sample`,
      );
      this.attempt++;
      return;
    }
    const started = performance.now();
    const nextVersions = { ...this.versions };
    const nextWeights = new Map(this.unitWeights);
    const adjusted: InfluenceAdjustment[] = [];
    for (const unit of this.units) {
      const stream = open.streams.get(unit);
      if (!stream?.count) continue;
      // Every aggregator gets bounded updates: a robust one ignores counts or outliers, FedAvg needs the bound.
      const { weights: merged, adjustments } = stream.finish();
      adjusted.push(...adjustments);
      for (const a of adjustments) this.deps.log(`round ${open.round}: bounded ${a.clientId} on ${unit}: ${describeAdjustment(a)}`);
      if (this.deps.faultPoint) await this.deps.faultPoint('aggregate', open.round);
      const bad = merged.find((w) => w.values.some((v) => !Number.isFinite(v)));
      if (bad) {
        this.deps.log(`round ${open.round}: ${this.deps.aggregator.id} produced non-finite ${bad.name}; unit ${unit} keeps its weights`);
        continue;
      }
      nextWeights.set(unit, merged);
      nextVersions[unit] = (nextVersions[unit] ?? 0) + 1;
    }
    const aggregationSeconds = (performance.now() - started) / 1000;
    for (const c of clients) {
      const mine = adjusted.filter((a) => a.clientId === c.clientId).map(({ clientId: _, ...rest }) => rest);
      if (mine.length) c.bounded = mine;
    }
    const weights = this.units.flatMap((u) => nextWeights.get(u)!);
    const testAccuracy = (await this.deps.evaluate?.(weights)) ?? null;
    const report: RoundReport = {
      round: open.round,
      attempt: open.attempt,
      testAccuracy,
      seconds: (this.now() - open.startedAt) / 1000,
      aggregationSeconds,
      versions: nextVersions,
      clients,
    };
    // Durable first: a crash during commit leaves the previous round in place.
    await this.deps.commit(open.round, nextVersions, weights, report);
    for (const [unit, w] of nextWeights) this.unitWeights.set(unit, w);
    this.versions = nextVersions;
    this.completed = open.round;
    this.attempt = 1;
    this.history.push(report);
    // Tasks stay answerable while their updates could still be within the staleness bound.
    for (const [id, t] of this.tasks) if (t.round < this.completed - this.config.maxStaleness) this.tasks.delete(id);
    this.deps.log(
      `round ${open.round} complete: ${accepted} update(s)${vanished.length ? `, vanished: ${vanished.join(', ')}` : ''}${
        testAccuracy !== null ? `, test accuracy ${(testAccuracy * 100).toFixed(2)}%` : ''
      }`,
    );
    this.deps.onRoundComplete?.(report);
  }
}

function describeAdjustment(a: InfluenceAdjustment): string {
  const parts: string[] = [];
  if (a.countedExamples !== undefined) parts.push(`${a.declaredExamples} declared examples counted as ${a.countedExamples}`);
  if (a.clippedTo !== undefined) parts.push(`delta norm ${a.deltaNorm!.toPrecision(4)} clipped to ${a.clippedTo.toPrecision(4)}`);
  if (a.droppedCosine !== undefined) parts.push(`left out: cosine ${a.droppedCosine.toFixed(3)} with the round's mean update`);
  return parts.join('; ');
}

function sameVersions(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function reportedLoss(message: UpdateMessage): number | null {
  const head = message.metrics['loss/head'];
  if (head !== undefined) return head;
  const last = message.units.at(-1);
  const value = last ? message.metrics[`loss/${last.id}`] : undefined;
  return value ?? null;
}

function seededShuffle<T extends string>(items: readonly T[], seed: number): T[] {
  const order = new SeededRandom(seed).shuffle(Array.from(items, (_, i) => i));
  return order.map((i) => items[i]!);
}
