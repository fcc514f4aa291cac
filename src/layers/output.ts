/**
 * Mirrors HF `BertOutput`: dense [I → H], dropout (training only), then LayerNorm(dense + residual).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { LayerNorm } from './layer_norm.js';
import { Linear } from './linear.js';
import { addThenNorm } from './residual.js';
import type { TrainingPass } from './forward_context.js';
import type { WeightSpec, WeightStore } from './weight_store.js';

export class BertOutput {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  private readonly dropoutRate: number;

  constructor(config: DPRConfig, store: WeightStore, prefix: string) {
    this.dropoutRate = config.hidden_dropout_prob;
    this.dense = new Linear(store, `${prefix}.dense`, config.intermediate_size, config.hidden_size);
    this.layerNorm = new LayerNorm(store, `${prefix}.LayerNorm`, config.hidden_size, config.layer_norm_eps);
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    return [
      ...Linear.weightSpecs(`${prefix}.dense`, config.intermediate_size, config.hidden_size),
      ...LayerNorm.weightSpecs(`${prefix}.LayerNorm`, config.hidden_size),
    ];
  }

  /** intermediate [B·T, I], residual [B·T, H] → [B·T, H] */
  apply(intermediate: tf.Tensor2D, residual: tf.Tensor2D, training?: TrainingPass): tf.Tensor2D {
    return addThenNorm(this.dense, this.layerNorm, intermediate, residual, training, this.dropoutRate);
  }
}
