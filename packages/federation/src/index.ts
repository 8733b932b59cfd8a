import './register-aggregator-kind';

export type { Aggregator, AggregatorFactory, CellUpdate } from './aggregator';
export { FEDERATION_MODES } from './federation-modes';
export type { FederationMode } from './federation-modes';
