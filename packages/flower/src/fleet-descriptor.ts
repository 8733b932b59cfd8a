import protobuf from 'protobufjs';
import descriptor from './fleet-descriptor.json';
import { FLEET_API, type FleetMethod } from './fleet-api-version';

/** The JSON descriptor of the vendored Flower 1.10 protos (regenerate with scripts/build-descriptor.mjs). */
export const fleetDescriptor: protobuf.INamespace = descriptor as protobuf.INamespace;

/** Decoding options shared by both transports: the plain-object form `fleet-messages.ts` validates. */
export const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, arrays: true, objects: true, oneofs: false };

let root: protobuf.Root | undefined;
function fleetRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(fleetDescriptor);
  return root;
}

/** The request and response types of one Fleet RPC. */
export function methodTypes(method: FleetMethod): { request: protobuf.Type; response: protobuf.Type } {
  const service = fleetRoot().lookupService(`${FLEET_API.protoPackage}.Fleet`);
  const m = service.methods[method];
  if (!m) throw new Error(`Fleet service has no method ${method}`);
  m.resolve();
  return { request: m.resolvedRequestType!, response: m.resolvedResponseType! };
}

/** Encodes a request body; `fromObject` accepts decimal strings for 64-bit fields. */
export function encodeRequest(method: FleetMethod, body: object): Uint8Array {
  const { request } = methodTypes(method);
  return request.encode(request.fromObject(body as Record<string, unknown>)).finish();
}

/** Decodes a response body to the plain form (validate it before use). */
export function decodeResponse(method: FleetMethod, bytes: Uint8Array): unknown {
  const { response } = methodTypes(method);
  return response.toObject(response.decode(bytes), TO_OBJECT_OPTIONS);
}
