import { registerObjectives } from './register-objectives';

export { binaryCrossEntropy, createBceObjective, createMseObjective } from './reconstruction-objectives';
export { corrupt, createDenoisingObjective, denoisingOptionsSchema } from './denoising-objective';
export type { DenoisingOptions } from './denoising-objective';
export { adversarialOptionsSchema, createAdversarialObjective } from './adversarial-objective';
export type { AdversarialOptions } from './adversarial-objective';
export { registerObjectives } from './register-objectives';
export { contrastiveSummary, goodnessMeasureSchema, goodnessOf, thresholdFor } from './goodness';
export type { GoodnessMeasure } from './goodness';
export { embedLabel, embedLabels, embedNeutralLabel, flattenImages, sampleWrongLabels } from './label-embedding';
export { blurredMask, hybridImages, otherImages } from './mixing-negatives';
export { contrastiveObjective, logisticGoodnessLoss, symbaLoss } from './contrastive-objective';
export type { ContrastiveParts } from './contrastive-objective';
export { createFfObjective, createSymbaObjective, ffOptionsSchema, symbaOptionsSchema } from './forward-forward-objectives';
export { createHybridObjective, createScffObjective, hybridOptionsSchema, scffOptionsSchema } from './unsupervised-ff-objectives';
export { channelGroupGoodness, createCwcompObjective, cwcompOptionsSchema } from './channel-competitive-objective';

registerObjectives();
