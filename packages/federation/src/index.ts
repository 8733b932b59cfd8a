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
