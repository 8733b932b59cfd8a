import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '../optimizer-config';

type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * A kernel an engine may register to run one whole AdamW update of a variable in one pass: inputs
 * `{ variable, gradient, m, v }`, attributes `AdamWUpdateAttrs`, outputs `[variable', m', v']`.
 * Composed of tfjs ops it takes about ten passes over memory per variable, which dominates the step
 * once matrix products are fast. Where no backend registers it, the composed ops run.
 */
export const ADAMW_UPDATE_KERNEL = 'LocalbpAdamWUpdate';

/** What the fused update computes, per element: m' = b1·m + (1 − b1)·g; v' = b2·v + (1 − b2)·g²; w' = decay·w − lrT·m' / (√v' + ε). */
export interface AdamWUpdateAttrs {
  beta1: number;
  beta2: number;
  /** 1 − lr · weightDecay (decoupled decay). */
  decay: number;
  /** lr · √(1 − b2ᵗ) / (1 − b1ᵗ). */
  lrT: number;
  epsilon: number;
}

interface Moments {
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's AdamW: tfjs ships only Adam.
 * Decay applies to every variable it updates, matching PyTorch's default parameter groups.
 */
export class AdamWOptimizer extends tf.Optimizer {
  static readonly className = 'LocalbpAdamW';
  private readonly moments = new Map<string, Moments>();
  private step = 0;
  /**
   * Multiplies the learning rate (and so the decoupled decay, as PyTorch's schedulers do); set by the
   * trainer's learning-rate schedule each step. Not saved: the schedule recomputes it from the step.
   */
  learningRateScale = 1;

  constructor(
    readonly learningRate: number,
    readonly weightDecay: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    super();
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(
      config.learningRate,
      config.weightDecay,
      config.beta1,
      config.beta2,
      config.epsilon,
    );
  }

  /** An AdamW optimizer from a validated optimizer config. */
  static fromOptimizerConfig(config: OptimizerConfig): AdamWOptimizer {
    const wd = config.type === 'adamw' ? config.weightDecay : 0;
    return new AdamWOptimizer(config.learningRate, wd, config.beta1, config.beta2, config.epsilon);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor] as const)
      : Object.entries(variableGradients);
    this.step += 1;
    const t = this.step;
    const lr = this.learningRate * this.learningRateScale;
    const lrT = lr * Math.sqrt(1 - this.beta2 ** t) / (1 - this.beta1 ** t);
    const fused = tf.getKernel(ADAMW_UPDATE_KERNEL, tf.getBackend()) != null;
    const attrs: AdamWUpdateAttrs = { beta1: this.beta1, beta2: this.beta2, decay: 1 - lr * this.weightDecay, lrT, epsilon: this.epsilon };
    tf.tidy(() => {
      for (const [name, grad] of entries) {
        if (grad == null) continue;
        const variable = tf.engine().registeredVariables[name];
        if (variable == null) throw new Error(`AdamW: no variable named ${name}`);
        const mom = this.momentsFor(variable);
        if (fused && grad.dtype === 'float32' && variable.dtype === 'float32') {
          const [w2, m2, v2] = tf.engine().runKernel(
            ADAMW_UPDATE_KERNEL,
            { variable, gradient: grad, m: mom.m, v: mom.v },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
          mom.m.assign(m2!);
          mom.v.assign(v2!);
          variable.assign(w2!);
          continue;
        }
        const m = tf.add(tf.mul(mom.m, this.beta1), tf.mul(grad, 1 - this.beta1));
        const v = tf.add(tf.mul(mom.v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
        mom.m.assign(m);
        mom.v.assign(v);
        const decayed =
          this.weightDecay > 0 ? tf.mul(variable, 1 - lr * this.weightDecay) : variable;
        variable.assign(tf.sub(decayed, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), lrT)));
      }
    });
    this.incrementIterations();
  }

  private momentsFor(variable: tf.Variable): Moments {
    let mom = this.moments.get(variable.name);
    if (mom == null) {
      mom = tf.tidy(() => ({
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
      }));
      this.moments.set(variable.name, mom);
    }
    return mom;
  }

  /** Forgets every moment and the step count: the next step is a first step again. */
  resetState(): void {
    for (const mom of this.moments.values()) {
      mom.m.dispose();
      mom.v.dispose();
    }
    this.moments.clear();
    this.step = 0;
    this.iterations_ = 0;
  }

  /** Optimizer state in the order of `variables`, so checkpoints never depend on tfjs' generated names. */
  exportState(variables: readonly tf.Variable[]): { step: number; tensors: tf.Tensor[] } {
    const tensors: tf.Tensor[] = [];
    for (const variable of variables) {
      const mom = this.momentsFor(variable);
      tensors.push(mom.m.clone(), mom.v.clone());
    }
    return { step: this.step, tensors };
  }

  /** Restores the moments and step saved by `exportState` for the same variables, in the same order. */
  importState(variables: readonly tf.Variable[], state: { step: number; tensors: readonly tf.Tensor[] }): void {
    if (state.tensors.length !== variables.length * 2) {
      throw new Error(
        `AdamW state has ${state.tensors.length} tensors, expected ${variables.length * 2} for ${variables.length} variables`,
      );
    }
    variables.forEach((variable, i) => {
      const mom = this.momentsFor(variable);
      const m = state.tensors[2 * i]!;
      const v = state.tensors[2 * i + 1]!;
      if (!tf.util.arraysEqual(m.shape, variable.shape) || !tf.util.arraysEqual(v.shape, variable.shape)) {
        throw new Error(`AdamW state shape ${JSON.stringify(m.shape)} does not match variable ${JSON.stringify(variable.shape)}`);
      }
      mom.m.assign(m);
      mom.v.assign(v);
    });
    this.step = state.step;
    this.iterations_ = state.step;
  }

  /** tfjs' optimizer-weights protocol: the step count then both moments of every variable. */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const [name, mom] of this.moments) {
      weights.push({ name: `${name}/m`, tensor: mom.m }, { name: `${name}/v`, tensor: mom.v });
    }
    return weights;
  }

  /** tfjs' optimizer-weights protocol: restores what `getWeights` returned. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.step = this.iterations_;
    for (const { name, tensor } of rest) {
      const slash = name.lastIndexOf('/');
      const varName = name.slice(0, slash);
      const variable = tf.engine().registeredVariables[varName];
      if (variable == null) continue;
      const mom = this.momentsFor(variable);
      (name.endsWith('/m') ? mom.m : mom.v).assign(tensor);
    }
  }

  override dispose(): void {
    for (const mom of this.moments.values()) {
      mom.m.dispose();
      mom.v.dispose();
    }
    this.moments.clear();
    super.dispose();
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      weightDecay: this.weightDecay,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    };
  }
}

tf.serialization.registerClass(AdamWOptimizer);
