// @localbp/flower: a Flower SuperNode in TypeScript (Fleet API of Flower 1.10, gRPC or REST).
export * from './browser';
export { GrpcFleetTransport } from './grpc-transport';
export type { GrpcTransportOptions } from './grpc-transport';
