import { FLEET_API, FLEET_METHODS, type FleetMethod } from './fleet-api-version';
import { decodeResponse, encodeRequest } from './fleet-descriptor';
import type { FleetRequests, FleetResponses } from './fleet-messages';
import { FleetError, validateResponse, type FleetTransport } from './fleet-transport';

/** Where and how to reach a SuperLink's REST Fleet API. */
export interface RestTransportOptions {
  /** Base URL of the SuperLink's REST Fleet API, e.g. `http://127.0.0.1:9093`. */
  url: string;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string;
  /** Defaults to the global `fetch` (Node 20, browsers). */
  fetch?: typeof fetch;
}

/** The Fleet API over HTTP: protobuf bodies POSTed to `/api/v0/fleet/<method>`; `fetch` only, so it runs in browsers. */
export class RestFleetTransport implements FleetTransport {
  readonly description: string;
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: RestTransportOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.description = `rest ${this.base}`;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
  }

  /** One Fleet request as a protobuf POST with a timeout; the response is validated. */
  async call<M extends FleetMethod>(method: M, request: FleetRequests[M], timeoutMs: number): Promise<FleetResponses[M]> {
    const url = `${this.base}${FLEET_API.restPrefix}/${FLEET_METHODS[method]}`;
    const headers: Record<string, string> = { 'Content-Type': FLEET_API.restContentType, Accept: FLEET_API.restContentType };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method: 'POST', headers, body: encodeRequest(method, request), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new FleetError('unavailable', `${method} over ${this.description}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
    }
    const body = new Uint8Array(await response.arrayBuffer());
    if (!response.ok) {
      const kind = response.status >= 500 || response.status === 429 ? 'unavailable' : 'rejected';
      throw new FleetError(kind, `${method} over ${this.description}: HTTP ${response.status} ${new TextDecoder().decode(body).slice(0, 200)}`);
    }
    let decoded: unknown;
    try {
      decoded = decodeResponse(method, body);
    } catch (err) {
      throw new FleetError('protocol', `${method}: undecodable protobuf from the SuperLink: ${err instanceof Error ? err.message : String(err)}`);
    }
    return validateResponse(method, decoded);
  }

  /** Nothing to close: every call is its own request. */
  close(): void {}
}
