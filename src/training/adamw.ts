/**
 * AdamW exactly as `torch.optim.AdamW` (the optimiser of the reference run; decoupled weight decay),
 * per parameter, in float32:
 *   step += 1;  p ← p · (1 − lr · wd)
 *   m ← m + (1 − β₁)(g − m)            (torch's lerp)
 *   v ← β₂ v + (1 − β₂) g²
 *   p ← p − lr / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * A parameter without a gradient is skipped entirely (no step, no decay), as torch does for
 * `grad is None`. DPR's grouping: no weight decay on any parameter whose name contains "bias" or
 * "LayerNorm.weight" (dpr/models/hf_models.py `get_hf_model_param_grouping`).
 *
 * transformers' deprecated `AdamW` differs (decay after the update, ε added before the bias
 * correction of v); DPR's pinned transformers used that one, but the differences are O(ε) and
 * O(lr² · wd) and the reference run is torch's, so torch's is what this reproduces.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';

export interface AdamWOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Parameters (by name) that get no weight decay. Default: DPR's rule (names with "bias" or "LayerNorm.weight"). */
  noDecay?: (name: string) => boolean;
}

/** DPR's `no_decay = ["bias", "LayerNorm.weight"]`, matched as substrings of the parameter name. */
export function dprNoDecay(name: string): boolean {
  return name.includes('bias') || name.includes('LayerNorm.weight');
}

interface Moments {
  step: number;
  m: tf.Variable;
  v: tf.Variable;
}

/** What `exportState` returns and `importState` takes: per parameter, its step count and both moments. */
export interface AdamWState {
  steps: Record<string, number>;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export class AdamW {
  private readonly moments = new Map<string, Moments>();
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly noDecay: (name: string) => boolean;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    options: AdamWOptions = {},
  ) {
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.noDecay = options.noDecay ?? dprNoDecay;
  }

  /** Applies one update with learning rate `lr` to every parameter that has a gradient in `grads`. */
  step(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    for (const name of grads.keys()) {
      if (!this.params.has(name)) throw new InputError(`grads has "${name}", which is not a parameter of this optimiser.`);
    }
    for (const [name, param] of this.params) {
      const grad = grads.get(name);
      if (grad === undefined) continue;
      this.update(name, param, grad, lr);
    }
  }

  private momentsOf(name: string, param: tf.Variable): Moments {
    let moments = this.moments.get(name);
    if (moments === undefined) {
      // Inside tidy: tf.variable shares the initial tensor's data, and the initial tensor itself must go.
      moments = tf.tidy(() => ({ step: 0, m: tf.variable(tf.zerosLike(param), false), v: tf.variable(tf.zerosLike(param), false) }));
      this.moments.set(name, moments);
    }
    return moments;
  }

  private update(name: string, param: tf.Variable, grad: tf.Tensor, lr: number): void {
    const state = this.momentsOf(name, param);
    state.step += 1;
    const decay = this.noDecay(name) ? 0 : this.weightDecay;
    const stepSize = lr / (1 - this.beta1 ** state.step);
    const bias2Sqrt = Math.sqrt(1 - this.beta2 ** state.step);
    tf.tidy(() => {
      const decayed = decay === 0 ? param : tf.mul(param, 1 - lr * decay);
      const m = tf.add(state.m, tf.mul(1 - this.beta1, tf.sub(grad, state.m)));
      const v = tf.add(tf.mul(state.v, this.beta2), tf.mul(1 - this.beta2, tf.mul(grad, grad)));
      const denom = tf.add(tf.div(tf.sqrt(v), bias2Sqrt), this.eps);
      state.m.assign(m);
      state.v.assign(v);
      param.assign(tf.add(decayed, tf.mul(-stepSize, tf.div(m, denom))));
    });
  }

  /** A copy of the optimiser state (for checkpoints). */
  async exportState(): Promise<AdamWState> {
    const state: AdamWState = { steps: {}, m: new Map(), v: new Map() };
    for (const [name, moments] of this.moments) {
      state.steps[name] = moments.step;
      state.m.set(name, (await moments.m.data()) as Float32Array);
      state.v.set(name, (await moments.v.data()) as Float32Array);
    }
    return state;
  }

  /** Restores state written by `exportState` (replacing any current state). */
  importState(state: AdamWState): void {
    this.disposeMoments();
    for (const [name, step] of Object.entries(state.steps)) {
      const param = this.params.get(name);
      const m = state.m.get(name);
      const v = state.v.get(name);
      if (param === undefined) throw new InputError(`optimizer state names "${name}", which is not a parameter of this model.`);
      if (m === undefined || v === undefined || m.length !== param.size || v.length !== param.size) {
        throw new InputError(`optimizer state for "${name}" must hold two moments of ${param.size} values each.`);
      }
      this.moments.set(
        name,
        tf.tidy(() => ({ step, m: tf.variable(tf.tensor(m, param.shape), false), v: tf.variable(tf.tensor(v, param.shape), false) })),
      );
    }
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  dispose(): void {
    this.disposeMoments();
  }
}
