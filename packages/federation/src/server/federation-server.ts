import { assignNamedWeights, registry as defaultRegistry, tf, type Registry, type TrainableModel } from '@localbp/core';
import type { LabeledSplit } from '@localbp/datasets';
import { createModel, evaluateAccuracy } from '@localbp/trainer';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { registerBuiltinAggregators } from '../aggregators/register-builtin-aggregators';
import { FederationError } from '../protocol/federation-error';
import { encodeFrame, decodeFrame, FRAME_CONTENT_TYPE } from '../protocol/frame';
import {
  API_PREFIX,
  heartbeatRequestSchema,
  IDEMPOTENCY_HEADER,
  joinRequestSchema,
  PROTOCOL_VERSION,
  updateMessageSchema,
  type HeartbeatResponse,
  type JoinResponse,
} from '../protocol/messages';
import type { WeightArray } from '../protocol/weight-array';
import { CorsPolicy } from './cors';
import { hashToken } from './credentials';
import { faultPointsFromEnv, type FaultPoints } from './fault-points';
import { parseJsonBody, readBody, sendError, sendFrame, sendJson } from './http-io';
import { RateLimiter } from './rate-limiter';
import { mergeRestartConfig } from './restart-config';
import { RoundCoordinator } from './round-coordinator';
import type { RoundReport } from './round-report';
import { federationConfigSchema, type FederationConfig, type FederationConfigInput } from './server-config';
import { ServerStateDb, ServerStateError } from './server-state-db';
import { clearSpoolDir } from './update-spool';

export interface FederationServerOptions {
  /** SQLite file holding configuration, credentials and the last completed round. */
  statePath: string;
  /**
   * Required for a fresh database. For a database that already holds a run, the changeable options among
   * `givenKeys` take the new value (logged); a fixed one (model, data, rounds, mode, …) with another value is refused.
   */
  config?: FederationConfigInput;
  /** Keys of `config` the user set explicitly (the others are defaults and keep the stored value at a restart); default: all keys of `config`. */
  givenKeys?: readonly string[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Test split for the per-round accuracy; without it rounds report null. */
  test?: LabeledSplit;
  registry?: Registry;
  log?: (message: string) => void;
  onRoundComplete?: (report: RoundReport) => void;
  /** Milliseconds the server keeps answering after the last round, so clients learn it finished. */
  lingerMs?: number;
  /**
   * Origins of browser pages allowed to call the server (CORS), e.g. `https://lab.example.org`. Empty by
   * default: no page on another origin can read an answer. Wildcards are refused. Not stored in the state
   * database: a restarted server takes the list it is given.
   */
  corsOrigins?: readonly string[];
  /** Test hooks (fault points); default: from `LOCALBP_TEST_FAULT_POINT` / `LOCALBP_TEST_DROP_UPLOADS`, off when unset. */
  faultPoints?: FaultPoints;
}

export interface RunningFederationServer {
  url: string;
  config: FederationConfig;
  coordinator: RoundCoordinator;
  /** Resumed from this completed round (0 for a fresh run). */
  resumedFrom: number;
  /** Resolves with every round's report once the run is complete and the linger time has passed. */
  finished: Promise<RoundReport[]>;
  close(): Promise<void>;
}

// The server resolves aggregators by id even when only this Node entry was imported (idempotent).
registerBuiltinAggregators(defaultRegistry);

function copyWeights(model: TrainableModel): WeightArray[] {
  return model.namedWeights().map((w) => ({ name: w.name, shape: [...w.tensor.shape], values: Float32Array.from(w.tensor.dataSync()) }));
}

/** Bytes of a frame holding every weight: the natural body-size limit for an update. */
function frameBytes(weights: readonly WeightArray[]): number {
  return weights.reduce((n, w) => n + w.values.length * 4 + w.name.length + 64, 64);
}

/**
 * Starts the federation server: restores (or creates) its state database, builds the model to
 * hold and evaluate the global weights, and serves the protocol of PROTOCOL.md over HTTP(S).
 */
export async function startFederationServer(options: FederationServerOptions): Promise<RunningFederationServer> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const registry = options.registry ?? defaultRegistry;
  const cors = new CorsPolicy(options.corsOrigins ?? [], log);
  const faults = options.faultPoints ?? faultPointsFromEnv(process.env, log);
  const db = await ServerStateDb.open(options.statePath);
  let model: TrainableModel | null = null;
  try {
    const storedConfig = await db.readMeta('config');
    let config: FederationConfig;
    if (storedConfig) {
      const stored = federationConfigSchema.parse(JSON.parse(storedConfig));
      config = options.config ? mergeRestartConfig(stored, options.config, options.givenKeys ?? Object.keys(options.config), log) : stored;
      if (config !== stored) await db.writeMeta('config', JSON.stringify(config));
    } else {
      if (!options.config) throw new ServerStateError(`${db.file} holds no federated run yet: give the run's configuration`);
      config = federationConfigSchema.parse(options.config);
    }
    model = createModel(config.model as { model?: string }, { imageShape: config.data.imageShape, numClasses: config.data.numClasses }, registry);
    if (!model.separable && (config.mode !== 'data-parallel' || Object.keys(config.assignments).length > 0)) {
      // An end-to-end model (BP) has one gradient through every unit: no participant can train part of it.
      throw new ServerStateError(
        `a ${model.kind} model trains end to end: only data-parallel mode without per-cell assignments applies (got mode ${config.mode}` +
          `${Object.keys(config.assignments).length ? ', with assignments' : ''})`,
      );
    }
    const aggregator = registry.get('aggregator', config.aggregator.id)(config.aggregator.options);
    let checkpoint = await db.readCheckpoint();
    if (!checkpoint) {
      const weights = copyWeights(model);
      const versions: Record<string, number> = {};
      await db.writeMeta('config', JSON.stringify(config));
      await db.commitRound(0, versions, weights, null);
      checkpoint = { round: 0, versions, weights, history: [] };
    }
    const maxBodyBytes = config.maxBodyBytes ?? frameBytes(checkpoint.weights) + (1 << 20);
    const evalModel = model;
    const evaluate = options.test
      ? async (weights: readonly WeightArray[]) => {
          const tensors = new Map(weights.map((w) => [w.name, tf.tensor(w.values, w.shape)]));
          try {
            assignNamedWeights(evalModel.namedWeights(), tensors, 'global model');
          } finally {
            for (const t of tensors.values()) t.dispose();
          }
          return evaluateAccuracy(evalModel, options.test!);
        }
      : undefined;
    // The open round's updates wait on disk beside the database; a killed server's are for a lost round.
    const spoolDir = `${db.file}-spool`;
    clearSpoolDir(spoolDir);
    const coordinator = new RoundCoordinator({
      config,
      aggregator,
      state: checkpoint,
      spoolDir,
      commit: (round, versions, weights, report) => db.commitRound(round, versions, weights, report, () => faults.reach('commit', round)),
      ...(faults.active ? { faultPoint: (name: 'aggregate' | 'between-rounds', round: number) => faults.reach(name, round) } : {}),
      ...(evaluate ? { evaluate } : {}),
      log,
      restarted: storedConfig !== null,
      ...(options.onRoundComplete ? { onRoundComplete: options.onRoundComplete } : {}),
    });
    coordinator.setRegisteredClients(await db.clientNames());
    const resumedFrom = checkpoint.round;
    if (resumedFrom > 0) log(`resuming after round ${resumedFrom} of ${coordinator.totalRounds} from ${db.file}`);

    const tokens = new Map<string, string>();
    const clientLimiter = new RateLimiter(config.requestsPerSecond, config.requestsPerSecond * 2);
    const failedAuthLimiter = new RateLimiter(2, 10);

    const authenticate = async (req: IncomingMessage): Promise<string> => {
      const header = req.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
      const address = req.socket.remoteAddress ?? 'unknown';
      const refuse = (message: string) => {
        const wait = failedAuthLimiter.take(address);
        if (wait > 0) throw Object.assign(new FederationError('rate-limited', 'too many failed authentications from this address'), { retryAfterMs: wait });
        return new FederationError('unauthorized', message);
      };
      if (!match) throw refuse('missing credentials: send "Authorization: Bearer <token>" (tokens come from `localbp federate add-client`)');
      const hash = hashToken(match[1]!);
      let name = tokens.get(hash);
      if (!name) {
        name = (await db.clientForTokenHash(hash)) ?? undefined;
        if (!name) throw refuse('unknown client token: it was not issued by this server (see `localbp federate add-client`)');
        tokens.set(hash, name);
        coordinator.setRegisteredClients(await db.clientNames());
      }
      return name;
    };

    const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
        throw /^\/v\d+\//.test(url.pathname)
          ? new FederationError('unsupported-protocol', `this server speaks protocol version ${PROTOCOL_VERSION} (${API_PREFIX}/…)`)
          : new FederationError('not-found', `no such endpoint: ${url.pathname}`);
      }
      const client = await authenticate(req);
      const wait = clientLimiter.take(client);
      if (wait > 0) {
        await readBody(req, maxBodyBytes).catch(() => undefined);
        sendError(res, new FederationError('rate-limited', `more than ${config.requestsPerSecond} requests per second`), wait);
        return;
      }
      coordinator.see(client);
      const endpoint = `${req.method} ${url.pathname.slice(API_PREFIX.length)}`;
      switch (endpoint) {
        case 'POST /join': {
          joinRequestSchema.parse(parseJsonBody(await readBody(req, 64 * 1024)));
          const body: JoinResponse = {
            protocol: PROTOCOL_VERSION,
            clientId: client,
            model: config.model,
            data: config.data,
            training: { mode: config.mode, localEpochs: config.localEpochs, batchSize: config.batchSize, aggregator: config.aggregator.id },
            heartbeatMs: config.heartbeatMs,
            limits: { maxBodyBytes, requestsPerSecond: config.requestsPerSecond },
          };
          log(`${client} joined`);
          sendJson(res, 200, body);
          return;
        }
        case 'GET /task': {
          const result = coordinator.poll(client);
          if (result.kind === 'task') sendFrame(res, encodeFrame(result.message, result.tensors));
          else if (result.kind === 'wait') sendJson(res, 200, { type: 'wait', round: result.round, retryAfterMs: result.retryAfterMs });
          else sendJson(res, 200, { type: 'finished', round: result.round });
          return;
        }
        case 'POST /update': {
          let frame;
          try {
            const type = req.headers['content-type'] ?? '';
            if (type.split(';')[0]!.trim() !== FRAME_CONTENT_TYPE) {
              await readBody(req, maxBodyBytes).catch(() => undefined);
              throw new FederationError('unsupported-media-type', `updates are sent as ${FRAME_CONTENT_TYPE}, got "${type}"`);
            }
            const cut = faults.active
              ? (r: IncomingMessage) => {
                  if (faults.dropThisUpload()) {
                    log(`test hook: dropping the connection of ${client}'s upload mid-body`);
                    r.socket.destroy();
                  } else if (faults.stopsHere('upload-body', coordinator.round + 1, client)) {
                    r.pause();
                  }
                }
              : undefined;
            frame = decodeFrame(await readBody(req, maxBodyBytes, cut));
          } catch (err) {
            // A body cut off in transit is no answer: the client retries it with the same idempotency key.
            if (err instanceof FederationError && (req.complete || err.code === 'body-too-large')) coordinator.recordRejection(client, err);
            throw err;
          }
          const parsed = updateMessageSchema.safeParse(frame.message);
          if (!parsed.success) {
            const err = new FederationError('bad-request', `update message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
            coordinator.recordRejection(client, err);
            throw err;
          }
          const key = req.headers[IDEMPOTENCY_HEADER];
          const response = coordinator.submit(client, parsed.data, frame.tensors, typeof key === 'string' && key.length <= 200 ? key : null);
          sendJson(res, 200, response);
          void coordinator.tick().catch((e: unknown) => log(`round close failed: ${String(e)}`));
          return;
        }
        case 'POST /heartbeat': {
          heartbeatRequestSchema.parse(parseJsonBody(await readBody(req, 64 * 1024)));
          const body: HeartbeatResponse = { round: coordinator.round, state: coordinator.state() };
          sendJson(res, 200, body);
          return;
        }
        case 'GET /status': {
          sendJson(res, 200, { round: coordinator.round, totalRounds: coordinator.totalRounds, state: coordinator.state(), versions: coordinator.currentVersions() });
          return;
        }
        default:
          await readBody(req, 64 * 1024).catch(() => undefined);
          throw new FederationError('not-found', `no such endpoint: ${req.method} ${url.pathname}`);
      }
    };

    const handler = (req: IncomingMessage, res: ServerResponse) => {
      // Preflights carry no token (browsers never send one), so they are answered before authentication.
      if (req.method === 'OPTIONS') {
        cors.answerPreflight(req, res);
        return;
      }
      cors.decorate(req, res);
      route(req, res).catch((err: unknown) => {
        if (err instanceof FederationError) {
          sendError(res, err, (err as FederationError & { retryAfterMs?: number }).retryAfterMs);
        } else if (err instanceof Error && err.name === 'ZodError') {
          sendError(res, new FederationError('bad-request', `invalid message: ${err.message.slice(0, 500)}`));
        } else {
          log(`internal error on ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          sendError(res, new FederationError('internal', 'internal server error (logged on the server)'));
        }
      });
    };
    const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
    // Garbage on the socket (not HTTP at all) gets a 400 and a closed connection, never a crash.
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    server.requestTimeout = 10 * 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
    const ticker = setInterval(() => {
      coordinator.tick().catch((e: unknown) => log(`round close failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    }, 100);
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
      evalModel.dispose();
    };
    const lingerMs = options.lingerMs ?? Math.max(2000, 3 * config.heartbeatMs);
    const finished = coordinator.finished.then(async (reports) => {
      await new Promise((resolve) => setTimeout(resolve, lingerMs));
      return reports;
    });
    if (cors.allowedOrigins.length) log(`browser pages allowed (CORS): ${cors.allowedOrigins.join(', ')}`);
    return { url, config, coordinator, resumedFrom, finished, close };
  } catch (err) {
    model?.dispose();
    db.close();
    throw err;
  }
}
