import { FederationError, isFederationErrorCode } from '../protocol/federation-error';
import { decodeFrame, encodeFrame, FRAME_CONTENT_TYPE } from '../protocol/frame';
import {
  API_PREFIX,
  errorBodySchema,
  heartbeatResponseSchema,
  IDEMPOTENCY_HEADER,
  joinResponseSchema,
  taskMessageSchema,
  taskPollResponseSchema,
  updateMessageSchema,
  updateResponseSchema,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinResponse,
  type TaskMessage,
  type UpdateMessageInput,
  type UpdateResponse,
} from '../protocol/messages';
import type { WeightArray } from '../protocol/weight-array';

/** How the client waits between retries of a failed request. */
export interface BackoffOptions {
  /** First wait after a failure. */
  initialMs: number;
  maxMs: number;
  /** Give up on a request after failing this long. */
  giveUpMs: number;
}

/** Where and as whom a `FederationClient` talks. */
export interface FederationClientOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8080` (the `/v1` prefix is added). */
  server: string;
  token: string;
  backoff?: Partial<BackoffOptions>;
  /**
   * Longest wait for one request's whole answer (headers and body), default 120 s; a request that takes longer
   * is aborted and retried like a network error. Heartbeats use min(this, 10 s).
   */
  requestTimeoutMs?: number;
  /** Receives one line per retry; silent by default. */
  log?: (message: string) => void;
  /** Defaults to the global `fetch` (Node 20+, browsers). */
  fetch?: typeof fetch;
}

/** What `poll()` returns: a task with the global weights, a wait, or the end of the run. */
export type TaskPoll =
  | { kind: 'task'; message: TaskMessage; tensors: WeightArray[] }
  | { kind: 'wait'; round: number; retryAfterMs: number }
  | { kind: 'finished'; round: number };

/** The server could not be reached for longer than the client's patience. */
export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The protocol's client side over `fetch`, so it runs unchanged in Node and in browsers. Network
 * failures, 5xx and 429 are retried with capped exponential backoff and jitter (a restarting server
 * is waited for); every other refusal surfaces as a `FederationError` with the server's code.
 */
export class FederationClient {
  private readonly base: string;
  private readonly backoff: BackoffOptions;
  private readonly fetchImpl: typeof fetch;
  private readonly log: (message: string) => void;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: FederationClientOptions) {
    this.base = `${options.server.replace(/\/+$/, '')}${API_PREFIX}`;
    this.backoff = { initialMs: 250, maxMs: 5_000, giveUpMs: 10 * 60_000, ...options.backoff };
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.log = options.log ?? (() => {});
    this.requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  }

  /** Announces the client and returns the model, data shape and training settings to use. */
  async join(software = 'localbp'): Promise<JoinResponse> {
    const body = await this.request('POST', '/join', (res) => res.json(), JSON.stringify({ client: { software } }), 'application/json');
    return joinResponseSchema.parse(body);
  }

  /** Asks for this client's task in the open round. */
  async poll(): Promise<TaskPoll> {
    const answer = await this.request<{ frame: Uint8Array } | { json: unknown }>('GET', '/task', async (res) =>
      (res.headers.get('content-type') ?? '').startsWith(FRAME_CONTENT_TYPE) ? { frame: new Uint8Array(await res.arrayBuffer()) } : { json: (await res.json()) as unknown },
    );
    if ('frame' in answer) {
      const frame = decodeFrame(answer.frame);
      return { kind: 'task', message: taskMessageSchema.parse(frame.message), tensors: frame.tensors };
    }
    const body = taskPollResponseSchema.parse(answer.json);
    return body.type === 'wait' ? { kind: 'wait', round: body.round, retryAfterMs: body.retryAfterMs } : { kind: 'finished', round: body.round };
  }

  /** Uploads an update; retries reuse `idempotencyKey`, so the server counts it once. */
  async upload(message: UpdateMessageInput, tensors: readonly WeightArray[], idempotencyKey: string): Promise<UpdateResponse> {
    return this.uploadBytes(encodeFrame(updateMessageSchema.parse(message), tensors), idempotencyKey);
  }

  /**
   * Sends an already-encoded body as an update (also how tests send malformed ones). `ArrayBuffer`-backed:
   * what `fetch` accepts as a body in browsers.
   */
  async uploadBytes(body: Uint8Array<ArrayBuffer>, idempotencyKey: string): Promise<UpdateResponse> {
    const answer = await this.request('POST', '/update', (res) => res.json(), body, FRAME_CONTENT_TYPE, { [IDEMPOTENCY_HEADER]: idempotencyKey });
    return updateResponseSchema.parse(answer);
  }

  /** One attempt, no retries: a missed heartbeat is simply followed by the next. */
  async heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    const res = await this.fetchImpl(`${this.base}/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(Math.min(this.requestTimeoutMs, 10_000)),
    });
    if (!res.ok) throw await errorFrom(res);
    return heartbeatResponseSchema.parse(await res.json());
  }

  /**
   * One request with retries; `read` consumes the answer's body inside the same timeout, so a server that sends
   * headers and then stalls is retried too.
   */
  private async request<T>(
    method: string,
    path: string,
    read: (res: Response) => Promise<T>,
    body?: string | Uint8Array<ArrayBuffer>,
    contentType?: string,
    extra: Record<string, string> = {},
  ): Promise<T> {
    const firstFailure = Date.now();
    let wait = this.backoff.initialMs;
    for (let attempt = 1; ; attempt++) {
      let retryIn: number;
      let why: string;
      try {
        const res = await this.fetchImpl(`${this.base}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.options.token}`, ...(contentType ? { 'content-type': contentType } : {}), ...extra },
          ...(body !== undefined ? { body } : {}),
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
        if (res.ok) return await read(res);
        const error = await errorFrom(res);
        if (res.status === 429) {
          retryIn = Math.max(error.retryAfterMs ?? wait, 100);
          why = error.message;
        } else if (res.status >= 500) {
          retryIn = wait;
          why = `${res.status}: ${error.message}`;
        } else {
          throw error;
        }
      } catch (err) {
        if (err instanceof FederationError) throw err;
        retryIn = wait;
        why = describeNetworkError(err, this.requestTimeoutMs);
      }
      if (Date.now() - firstFailure > this.backoff.giveUpMs) {
        throw new ServerUnreachableError(`${method} ${this.base}${path} failed for ${Math.round((Date.now() - firstFailure) / 1000)} s (${why}); giving up`);
      }
      const jittered = Math.round(retryIn * (0.8 + 0.4 * Math.random()));
      this.log(`${method} ${path}: ${why}; retry ${attempt} in ${jittered} ms`);
      await sleep(jittered);
      wait = Math.min(this.backoff.maxMs, wait * 2);
    }
  }
}

async function errorFrom(res: Response): Promise<FederationError> {
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  let text = '';
  try {
    text = await res.text();
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success && isFederationErrorCode(parsed.data.error.code)) {
      return new FederationError(parsed.data.error.code, parsed.data.error.message, retryAfterMs);
    }
  } catch {
    // Not our error body (a proxy's page, a truncated reply): fall through.
  }
  const code = res.status === 401 ? 'unauthorized' : res.status === 413 ? 'body-too-large' : res.status >= 500 ? 'internal' : 'bad-request';
  return new FederationError(code, `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, retryAfterMs);
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}
