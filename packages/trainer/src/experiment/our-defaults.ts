/**
 * Settings of the comparison that are ours, not the papers' (method page: only what it attributes to the papers is
 * theirs; every "default" there is ours). Listed in every report beside the configs each run recorded.
 */
export const OUR_DEFAULTS: readonly string[] = [
  'Optimizer of every cell and of the classifier: AdamW, learning rate 1e-3, weight decay 1e-2 (each has its own instance).',
  'Latent of an MLP cell: layer norm of ReLU(dense); the first cell decodes through a sigmoid (inputs in [0, 1]), later cells linearly.',
  'Reconstruction loss: MSE. DAE corruption: Gaussian noise, σ 0.1.',
  'MLP cells: 3 cells × 1000 units (unless the command sets --width).',
  'Classifier: one hidden layer of 512 ReLU units, cross-entropy (the method page names a linear classifier; `--head-hidden none` gives it).',
  'Convolutional and adversarial cells, BP and FF baselines: the architecture each records in its config below (channels, strides, heads, losses).',
  'Training recipe of conv (cae) stacks, lbp-cae and bp-cnn alike: cosine learning-rate decay to 1% over the run and random ±2-pixel shifts of every training batch, plus left-right flips on CIFAR-10 (`--lr-schedule auto`, `--augment auto`); every other model: constant rate, no augmentation.',
  'Initialization: Glorot uniform. Batch size 128 (unless the command sets --batch-size). Schedule: simultaneous.',
  'Seeds 1..N per model; the seed drives weights, shuffling and noise.',
  'Epochs, training and test subset sizes: as in the command (chosen for the compute at hand, not the papers\' budgets).',
];

/** How the memory figures are measured, stated in every report. */
export const MEMORY_METHOD: readonly string[] = [
  '**peakTensorBytes**: the high-water mark of `tf.memory().numBytes` (bytes held by live tensors on the backend), ' +
    'sampled inside every training step: inside each local loss closure (while that cell\'s activations, or for a BP model the ' +
    'whole network\'s, are alive) and after each update, not only at epoch end. ' +
    'It counts weights, optimizer state, activations and gradients alive at the same moment.',
  '**peakRssBytes**: the resident set size of the training process (`process.memoryUsage().rss`), sampled every 250 ms ' +
    'and once at the end; it includes Node, the backend\'s heap (for wasm: its linear memory, which never shrinks) and the dataset.',
  'Every grid cell trains in its own child process (`localbp train`), so each figure is that run\'s own.',
  'LBP/BP ratio: mean peak of the LBP model over the mean peak of the BP model with the same encoder stack, same dataset and batch size.',
];
