import { registry } from '@localbp/core';
import { registerBuiltinAggregators } from './aggregators/register-builtin-aggregators';
import './register-aggregator-kind';

export type { Aggregator, AggregatorFactory, CellUpdate, ClientTrainingOptions } from './aggregator';
export { FEDERATION_MODES } from './federation-modes';
export type { FederationMode } from './federation-modes';

export { AggregatorError } from './aggregators/aggregation-errors';
export { FedAvgAggregator, FedProxAggregator, weightedMean } from './aggregators/fedavg';
export { CoordinateMedianAggregator, TrimmedMeanAggregator } from './aggregators/coordinate-statistics';
export { MultiKrumAggregator } from './aggregators/multi-krum';
export { registerBuiltinAggregators } from './aggregators/register-builtin-aggregators';

export type { WeightArray } from './protocol/weight-array';
export { shapeSize, unitOfWeight } from './protocol/weight-array';
export { decodeFrame, encodeFrame, FRAME_CONTENT_TYPE, FRAME_MAGIC, MAX_FRAME_HEADER_BYTES } from './protocol/frame';
export type { Frame } from './protocol/frame';
export { ERROR_CODES, ERROR_STATUS, FederationError, isFederationErrorCode } from './protocol/federation-error';
export type { FederationErrorCode } from './protocol/federation-error';

registerBuiltinAggregators(registry);

export {
  API_PREFIX,
  errorBodySchema,
  federationModeSchema,
  heartbeatRequestSchema,
  heartbeatResponseSchema,
  IDEMPOTENCY_HEADER,
  joinRequestSchema,
  joinResponseSchema,
  PROTOCOL_VERSION,
  taskMessageSchema,
  taskPollResponseSchema,
  updateMessageSchema,
  updateResponseSchema,
} from './protocol/messages';
export type {
  ErrorBody,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinRequest,
  JoinResponse,
  TaskMessage,
  TaskPollResponse,
  UpdateMessage,
  UpdateMessageInput,
  UpdateResponse,
} from './protocol/messages';

export { FederationClient, ServerUnreachableError } from './client/federation-client';
export type { BackoffOptions, FederationClientOptions, TaskPoll } from './client/federation-client';
export { modelUnitIds, trainTask, upstreamUnits } from './client/train-task';
export type { LocalProgress, TrainTaskOptions } from './client/train-task';
export { runParticipant } from './client/run-participant';
export type { ParticipantOptions, ParticipantSummary } from './client/run-participant';
