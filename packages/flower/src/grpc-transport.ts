import * as grpc from '@grpc/grpc-js';
import { fromJSON, type MethodDefinition } from '@grpc/proto-loader';
import { FLEET_API, FLEET_METHODS, type FleetMethod } from './fleet-api-version';
import { fleetDescriptor } from './fleet-descriptor';
import type { FleetRequests, FleetResponses } from './fleet-messages';
import { FleetError, validateResponse, type FleetTransport } from './fleet-transport';

/** Status codes after which the same call may succeed later. */
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED]);

/** Where and how to reach a SuperLink's gRPC Fleet API. */
export interface GrpcTransportOptions {
  /** `HOST:PORT` of the SuperLink's Fleet API. */
  address: string;
  /** Root certificates (PEM) for TLS; absent = insecure (Flower's `--insecure`). */
  rootCertificates?: Uint8Array;
  /** Sent as `authorization: Bearer …` metadata on every call when set. */
  token?: string;
}

/** The Fleet API over gRPC (`@grpc/grpc-js`, method definitions from the vendored protos via proto-loader). */
export class GrpcFleetTransport implements FleetTransport {
  readonly description: string;
  private readonly client: grpc.Client;
  private readonly methods: Record<string, MethodDefinition<object, object>>;

  constructor(private readonly options: GrpcTransportOptions) {
    this.description = `grpc ${options.address}`;
    const definition = fromJSON(fleetDescriptor as Parameters<typeof fromJSON>[0], {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      arrays: true,
      objects: true,
      oneofs: false,
    });
    const service = definition[`${FLEET_API.protoPackage}.Fleet`] as Record<string, MethodDefinition<object, object>> | undefined;
    if (!service) throw new Error('vendored protos have no Fleet service');
    this.methods = service;
    const credentials = options.rootCertificates ? grpc.credentials.createSsl(Buffer.from(options.rootCertificates)) : grpc.credentials.createInsecure();
    // Flower sends model-sized messages: lift grpc's 4 MiB default like Flower's own node (512 MiB).
    this.client = new grpc.Client(options.address, credentials, {
      'grpc.max_send_message_length': 536_870_912,
      'grpc.max_receive_message_length': 536_870_912,
    });
  }

  /** One unary Fleet RPC with a deadline; the response is validated. */
  call<M extends FleetMethod>(method: M, request: FleetRequests[M], timeoutMs: number): Promise<FleetResponses[M]> {
    const def = this.methods[method];
    if (!def || !(method in FLEET_METHODS)) return Promise.reject(new FleetError('protocol', `unknown Fleet method ${method}`));
    const metadata = new grpc.Metadata();
    if (this.options.token) metadata.set('authorization', `Bearer ${this.options.token}`);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request as object,
        metadata,
        { deadline: Date.now() + timeoutMs },
        (err, value) => {
          if (err) {
            const kind = RETRYABLE.has(err.code) ? 'unavailable' : 'rejected';
            reject(new FleetError(kind, `${method} over ${this.description}: ${err.details || err.message}`));
            return;
          }
          try {
            resolve(validateResponse(method, value));
          } catch (e) {
            reject(e);
          }
        },
      );
    });
  }

  /** Closes the channel. */
  close(): void {
    this.client.close();
  }
}
