/** A published test accuracy we compare a model family with (none of these are our measurements). */
export interface PublishedFigure {
  dataset: string;
  /** Model ids of ours it is the reference for. */
  models: readonly string[];
  accuracy: number;
  source: string;
}

/**
 * The best published figures we know per model family and dataset (method page and the issue). A figure stands for
 * every listed model of its family; where it was measured on exactly one of ours, only that one is listed.
 */
export const PUBLISHED_FIGURES: readonly PublishedFigure[] = [
  { dataset: 'mnist', models: ['ff', 'ff-symba', 'ff-hybrid'], accuracy: 0.9855, source: 'Hinton FF 3×1000, loeweX reimplementation (1.45% error, 100 epochs)' },
  { dataset: 'mnist', models: ['ff-scff'], accuracy: 0.987, source: 'SCFF, MNIST MLP' },
  { dataset: 'mnist', models: ['lbp-ae', 'lbp-dae', 'lbp-cae', 'lbp-gan'], accuracy: 0.934, source: 'plain PyTorch LBP-AE 3×1000, linear head, one epoch' },
  { dataset: 'cifar10', models: ['ff-scff'], accuracy: 0.8075, source: 'SCFF, CIFAR-10 CNN' },
  { dataset: 'cifar10', models: ['ff-cwcomp'], accuracy: 0.7811, source: 'CwComp (21.89% error)' },
];

/** The published figure for a model on a dataset, if we know one. */
export function publishedFigure(dataset: string, model: string): PublishedFigure | undefined {
  return PUBLISHED_FIGURES.find((f) => f.dataset === dataset && f.models.includes(model));
}
