// `@localbp/trainer/experiment`: the paper's comparison grid. Node-only (child processes, files), so it lives
// outside the package's main entry.
export { EXPERIMENT_MODELS, MEMORY_PAIRS, experimentModel, missingRegistrations } from './experiment-models';
export type { ExperimentModel } from './experiment-models';
export { experimentPlanSchema, gridCells } from './experiment-plan';
export type { ExperimentPlan, ExperimentPlanInput, GridCell } from './experiment-plan';
export { runSummarySchema, isCompleteRun } from './run-summary';
export type { RunSummary } from './run-summary';
export { spread } from './summary-statistics';
export type { Spread } from './summary-statistics';
export { aggregateResults } from './aggregate-results';
export type { ExperimentResults, FinishedRun, MemoryRatio, ModelResult } from './aggregate-results';
export { accuracyFigureSvg } from './accuracy-figure';
export { renderReport } from './render-report';
export type { ReportEnvironment, ReportInput } from './render-report';
export { MEMORY_METHOD, OUR_DEFAULTS } from './our-defaults';
export { ExperimentError } from './experiment-error';
export { CELL_RECORD, cellRecordSchema, inspectCell } from './grid-cell-state';
export type { CellRecord, CellState } from './grid-cell-state';
export { runExperiment } from './grid-runner';
export type { ExperimentOutcome, RunExperimentOptions } from './grid-runner';
