import type { FleetMethod } from './fleet-api-version';
import { FLEET_RESPONSE_SCHEMAS, type FleetRequests, type FleetResponses } from './fleet-messages';

/** Why a Fleet call failed: `unavailable` is worth retrying (SuperLink down, restarting, network); `protocol` is not. */
export class FleetError extends Error {
  override name = 'FleetError';
  constructor(
    readonly kind: 'unavailable' | 'rejected' | 'protocol',
    message: string,
  ) {
    super(message);
  }
}

/** One Fleet API connection: gRPC or REST, same requests and validated responses. */
export interface FleetTransport {
  /** e.g. `grpc 127.0.0.1:9092`, for messages. */
  readonly description: string;
  /** One Fleet call; rejects with a FleetError. */
  call<M extends FleetMethod>(method: M, request: FleetRequests[M], timeoutMs: number): Promise<FleetResponses[M]>;
  /** Releases the connection. */
  close(): void;
}

/** Validates a decoded response against its schema, or says what is wrong with it. */
export function validateResponse<M extends FleetMethod>(method: M, decoded: unknown): FleetResponses[M] {
  const parsed = FLEET_RESPONSE_SCHEMAS[method].safeParse(decoded);
  if (!parsed.success) throw new FleetError('protocol', `${method}: malformed response from the SuperLink: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data as FleetResponses[M];
}
