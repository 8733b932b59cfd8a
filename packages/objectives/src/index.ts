import { registerObjectives } from './register-objectives';

export { binaryCrossEntropy, createBceObjective, createMseObjective } from './reconstruction-objectives';
export { corrupt, createDenoisingObjective, denoisingOptionsSchema } from './denoising-objective';
export type { DenoisingOptions } from './denoising-objective';
export { registerObjectives } from './register-objectives';

registerObjectives();
