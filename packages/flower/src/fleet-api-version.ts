/**
 * The one place that knows which Flower Fleet API this package speaks. Flower 1.13+ replaced TaskIns/TaskRes
 * with `Message` (PullMessages/PushMessages); supporting it means a second module like this one, not edits elsewhere.
 */
export const FLEET_API = {
  /** Flower releases whose Fleet API this node speaks (TaskIns/TaskRes, tested against 1.10.0). */
  flowerVersions: '>=1.8 <1.13',
  testedWith: '1.10.0',
  /** Fully qualified protobuf package and gRPC service. */
  protoPackage: 'flwr.proto',
  grpcService: '/flwr.proto.Fleet',
  /** REST transport: POST bodies are protobuf, under this prefix. */
  restPrefix: '/api/v0/fleet',
  restContentType: 'application/protobuf',
  /** Ping interval (s) this node declares at CreateNode/Ping, and the call timeout Flower's own node uses. */
  pingIntervalS: 30,
  pingCallTimeoutS: 5,
  /** Error code of a task the ClientApp failed (flwr.common.constant.ErrorCode.CLIENT_APP_RAISED_EXCEPTION). */
  clientAppErrorCode: 2,
  /** Legacy NumPyClient task types of this API. */
  taskTypes: { getParameters: 'get_parameters', fit: 'train', fitLegacy: 'fit', evaluate: 'evaluate', reconnect: 'reconnect' },
} as const;

/** The Fleet RPCs, with their REST path segment. */
export const FLEET_METHODS = {
  CreateNode: 'create-node',
  DeleteNode: 'delete-node',
  Ping: 'ping',
  PullTaskIns: 'pull-task-ins',
  PushTaskRes: 'push-task-res',
  GetRun: 'get-run',
} as const;
/** The name of one Fleet RPC. */
export type FleetMethod = keyof typeof FLEET_METHODS;
