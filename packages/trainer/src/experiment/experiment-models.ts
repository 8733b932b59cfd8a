/** How one model id of the paper's comparison is trained: the `localbp train` flags and what they need registered. */
export interface ExperimentModel {
  id: string;
  label: string;
  family: 'lbp' | 'bp' | 'ff';
  /** Flags for `localbp train` that select this model. */
  trainArgs: readonly string[];
  /** Registry ids the flags resolve through; a missing one means the model is not available in this build. */
  requires: { model: string; cells?: readonly string[]; objective?: string };
}

const lbp = (id: string, cell: string, label: string): ExperimentModel => ({
  id,
  label,
  family: 'lbp',
  trainArgs: ['--model', 'lbp', '--cells', `${cell},${cell},${cell}`],
  requires: { model: 'lbp', cells: [cell] },
});

const ff = (id: string, objective: string, label: string): ExperimentModel => ({
  id,
  label,
  family: 'ff',
  trainArgs: ['--model', 'ff', '--objective', objective],
  requires: { model: 'ff', objective },
});

/** Every model of the comparison (method §4), in report order. */
export const EXPERIMENT_MODELS: readonly ExperimentModel[] = [
  lbp('lbp-ae', 'ae', 'LBP-AE (3 autoencoder cells)'),
  lbp('lbp-dae', 'dae', 'LBP-DAE (3 denoising autoencoder cells)'),
  lbp('lbp-cae', 'cae', 'LBP-CAE (3 convolutional autoencoder cells)'),
  lbp('lbp-gan', 'gan', 'LBP-GAN (3 adversarial cells)'),
  // `--model bp-mlp|bp-cnn` = the `bp` family over the ae and cae stacks, linear head.
  { id: 'bp-mlp', label: 'BP-MLP (the ae stack trained end to end)', family: 'bp', trainArgs: ['--model', 'bp-mlp'], requires: { model: 'bp', cells: ['ae'] } },
  { id: 'bp-cnn', label: 'BP-CNN (the cae stack trained end to end)', family: 'bp', trainArgs: ['--model', 'bp-cnn'], requires: { model: 'bp', cells: ['cae'] } },
  ff('ff', 'ff', 'FF (Hinton)'),
  ff('ff-symba', 'symba', 'FF with the SymBa loss'),
  ff('ff-hybrid', 'hybrid', 'unsupervised FF, hybrid negatives'),
  ff('ff-scff', 'scff', 'self-contrastive FF'),
  ff('ff-cwcomp', 'cwcomp', 'channel-wise competitive FF'),
];

/** LBP models and the BP model with the same encoder stack: the memory comparison of the paper. */
export const MEMORY_PAIRS: ReadonlyArray<{ lbp: string; bp: string }> = [
  { lbp: 'lbp-cae', bp: 'bp-cnn' },
  { lbp: 'lbp-ae', bp: 'bp-mlp' },
];

/** The experiment model (e.g. `lbp-ae`, `bp-cnn`) with this id, if any. */
export function experimentModel(id: string): ExperimentModel | undefined {
  return EXPERIMENT_MODELS.find((m) => m.id === id);
}

/** Why a model cannot run with what is registered, or null when it can. */
export function missingRegistrations(
  model: ExperimentModel,
  registered: { model: readonly string[]; cell: readonly string[]; objective: readonly string[] },
): string | null {
  const { requires } = model;
  if (!registered.model.includes(requires.model)) {
    return `model family "${requires.model}" is not registered (registered: ${registered.model.join(', ')})`;
  }
  const cell = requires.cells?.find((c) => !registered.cell.includes(c));
  if (cell) return `unknown cell "${cell}" (registered cells: ${registered.cell.join(', ')})`;
  if (requires.objective && !registered.objective.includes(requires.objective)) {
    return `unknown objective "${requires.objective}" (registered objectives: ${registered.objective.join(', ')})`;
  }
  return null;
}
