export { AUTO_BACKEND_ORDER, BACKEND_CHOICES, isBackendChoice, parseBackendChoice } from './backend-name';
export type { BackendChoice, BackendName } from './backend-name';
export { BackendUnavailableError } from './backend-unavailable-error';
export { currentBackendName, resolveBackend } from './resolve-backend';
export type { BackendAttempt, ResolveBackendOptions, ResolvedBackend } from './resolve-backend';
export { conv2dBackpropFilterFromOps } from './conv2d-backprop-filter-from-ops';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-training-kernels';
export { registerWasmTransposedMatMul } from './wasm-transposed-matmul';
export { filePathFromUrl, registerFileSystemRouter } from './file-system-router';
export {
  loadModelArtifacts,
  MODEL_JSON_FILE,
  saveModelArtifacts,
  WEIGHTS_BIN_FILE,
} from './model-artifacts-files';
export { benchmarkConvTrainingStep } from './conv-training-benchmark';
export type { ConvTrainingBenchmarkOptions, ConvTrainingBenchmarkResult } from './conv-training-benchmark';
