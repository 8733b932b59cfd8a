/** Activation ids the C epilogue understands (src/addon/epilogue.c); other activations fall back to wasm. */
const CODES: Readonly<Record<string, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  leakyrelu: 4,
  prelu: 5,
  sigmoid: 6,
};

export function activationCode(activation: string | undefined): number | undefined {
  return CODES[activation ?? 'linear'];
}
