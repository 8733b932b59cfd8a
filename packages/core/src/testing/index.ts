export { countLeakedTensors } from './tensor-leak-check';
export { tinyImages } from './tiny-images';
export { checkCellContract } from './cell-contract';
export { cellBuildOptions } from './cell-build-options';
export type { CellContractReport } from './cell-contract';
