import { FLEET_API } from './fleet-api-version';
import type { FleetNode, TaskIns, TaskResInput } from './fleet-messages';
import { FleetError, type FleetTransport } from './fleet-transport';
import type { NumPyClient } from './numpy-client';
import { DEFAULT_RETRY, sleep, withRetry, type RetryPolicy } from './retry-backoff';
import { handleTask } from './task-handler';

/** What `runSuperNode` connects to, answers with, and how patiently. */
export interface SuperNodeOptions {
  transport: FleetTransport;
  client: NumPyClient;
  /** Progress lines (one per event). */
  log?: (message: string) => void;
  /** Abort = stop after the current task and delete the node (Ctrl-C). */
  signal?: AbortSignal;
  /** Ping interval (s) declared to the SuperLink; it marks the node offline after missing it. Default 30. */
  pingIntervalS?: number;
  /** Wait between empty pulls (ms). Default 1000. */
  pollIntervalMs?: number;
  /**
   * Flower 1.10 never tells a node that a run ended: after serving tasks, this many seconds without one mean the
   * run is over and the node exits cleanly. Default 600: longer than a round of slow peers usually takes.
   */
  idleExitS?: number;
  /** Per-call deadline (ms). Default 30 000. */
  callTimeoutMs?: number;
  retry?: RetryPolicy;
}

/** One handled task, for the summary. */
export interface TaskRecord {
  taskId: string;
  runId: string;
  type: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/** How a node's run ended and every task it answered. */
export interface SuperNodeSummary {
  /** finished: idle after the run; interrupted: aborted; reconnect: the ServerApp sent Flower's disconnect. */
  status: 'finished' | 'interrupted' | 'reconnect';
  nodeId: string;
  transport: string;
  tasks: TaskRecord[];
}

/** Seconds between pings: Flower's own node pings at 0.8 × (interval − call timeout), so it never lapses. */
export function pingPeriodS(intervalS: number): number {
  return Math.max(1, (intervalS - FLEET_API.pingCallTimeoutS) * 0.8);
}

function replyTo(ins: TaskIns, node: FleetNode, body: Pick<TaskResInput['task'], 'recordset' | 'error'>): TaskResInput {
  const now = Date.now() / 1000;
  // A reply lives as long as the instruction had left, as in Flower's Message.create_reply.
  const ttl = ins.task.ttl - (now - ins.task.created_at);
  return {
    task_id: '',
    group_id: ins.group_id,
    run_id: ins.run_id,
    task: {
      producer: { node_id: node.node_id, anonymous: false },
      consumer: { node_id: '0', anonymous: true },
      created_at: now,
      pushed_at: now,
      ttl: ttl > 0 ? ttl : 1e-3,
      ancestry: [ins.task_id],
      task_type: ins.task.task_type,
      ...body,
    },
  };
}

/** A Flower SuperNode: registers, pings, pulls tasks, answers them with `client`, and deletes itself on exit. */
export async function runSuperNode(options: SuperNodeOptions): Promise<SuperNodeSummary> {
  const { transport, client, signal } = options;
  const log = options.log ?? (() => {});
  const retry = options.retry ?? DEFAULT_RETRY;
  const timeout = options.callTimeoutMs ?? 30_000;
  const pingIntervalS = options.pingIntervalS ?? FLEET_API.pingIntervalS;
  const idleExitMs = (options.idleExitS ?? 600) * 1000;
  const pollMs = options.pollIntervalMs ?? 1000;
  const tasks: TaskRecord[] = [];

  const created = await withRetry('CreateNode', () => transport.call('CreateNode', { ping_interval: pingIntervalS }, timeout), retry, log, signal);
  const node: FleetNode = created.node;
  log(`node ${node.node_id} registered with the SuperLink (${transport.description})`);

  const pingTimer = setInterval(() => {
    transport
      .call('Ping', { node: { node_id: node.node_id, anonymous: false }, ping_interval: pingIntervalS }, FLEET_API.pingCallTimeoutS * 1000)
      .then((r) => {
        if (!r.success) log(`ping: the SuperLink no longer knows node ${node.node_id}`);
      })
      .catch((err: unknown) => log(`ping failed: ${err instanceof Error ? err.message : String(err)}`));
  }, pingPeriodS(pingIntervalS) * 1000);
  pingTimer.unref?.();

  let status: SuperNodeSummary['status'] = 'finished';
  let lastTaskAt: number | undefined;
  try {
    for (;;) {
      if (signal?.aborted) {
        status = 'interrupted';
        break;
      }
      if (lastTaskAt !== undefined && Date.now() - lastTaskAt > idleExitMs) {
        log(`no task for ${Math.round(idleExitMs / 1000)} s after the last one: the run is over`);
        break;
      }
      const pulled = await withRetry('PullTaskIns', () => transport.call('PullTaskIns', { node: { node_id: node.node_id, anonymous: false }, task_ids: [] }, timeout), retry, log, signal);
      if (pulled.task_ins_list.length === 0) {
        await sleep(pollMs, signal);
        continue;
      }
      let reconnect = false;
      for (const ins of pulled.task_ins_list) {
        const started = Date.now();
        const outcome = await handleTask(client, ins);
        if (outcome.kind === 'reconnect') {
          reconnect = true;
          continue;
        }
        const body = outcome.kind === 'reply' ? { recordset: outcome.recordset } : { error: { code: FLEET_API.clientAppErrorCode, reason: outcome.reason } };
        await withRetry('PushTaskRes', () => transport.call('PushTaskRes', { task_res_list: [replyTo(ins, node, body)] }, timeout), retry, log, signal);
        const record: TaskRecord = { taskId: ins.task_id, runId: ins.run_id, type: ins.task.task_type, ok: outcome.kind === 'reply', ms: Date.now() - started };
        if (outcome.kind === 'error') record.error = outcome.reason;
        tasks.push(record);
        log(`run ${ins.run_id}: ${record.type} ${record.ok ? 'done' : `failed: ${record.error}`} in ${(record.ms / 1000).toFixed(1)} s`);
        lastTaskAt = Date.now();
      }
      if (reconnect) {
        status = 'reconnect';
        log('the ServerApp asked this node to disconnect');
        break;
      }
    }
  } finally {
    clearInterval(pingTimer);
    try {
      await transport.call('DeleteNode', { node: { node_id: node.node_id, anonymous: false } }, 5000);
      log(`node ${node.node_id} deleted from the SuperLink`);
    } catch (err) {
      log(`could not delete node ${node.node_id}: ${err instanceof FleetError ? err.message : String(err)}`);
    }
    transport.close();
  }
  return { status, nodeId: node.node_id, transport: transport.description, tasks };
}
