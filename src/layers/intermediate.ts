/**
 * Mirrors HF `BertIntermediate`: dense [H → I] then the config's activation.
 * relu is fused into the matMul; the gelu family runs as separate element-wise ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { getActivation } from './activations.js';
import { Linear } from './linear.js';
import type { WeightSpec, WeightStore } from './weight_store.js';

export class BertIntermediate {
  readonly dense: Linear;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;
  private readonly fuseRelu: boolean;

  constructor(config: DPRConfig, store: WeightStore, prefix: string) {
    this.dense = new Linear(store, `${prefix}.dense`, config.hidden_size, config.intermediate_size);
    this.activation = getActivation(config.hidden_act);
    this.fuseRelu = config.hidden_act === 'relu';
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    return Linear.weightSpecs(`${prefix}.dense`, config.hidden_size, config.intermediate_size);
  }

  /** [B·T, H] → [B·T, I] */
  apply(hidden: tf.Tensor2D): tf.Tensor2D {
    if (this.fuseRelu) return this.dense.apply(hidden, 'relu');
    return tf.tidy(() => this.activation(this.dense.apply(hidden)) as tf.Tensor2D);
  }
}
