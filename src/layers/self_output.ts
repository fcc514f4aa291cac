/**
 * Mirrors HF `BertSelfOutput`: dense, dropout (training only), then LayerNorm(dense + residual).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { LayerNorm } from './layer_norm.js';
import { Linear } from './linear.js';
import type { WeightSpec, WeightStore } from './weight_store.js';
import { addThenNorm } from './residual.js';
import type { TrainingPass } from './forward_context.js';

export class BertSelfOutput {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  private readonly dropoutRate: number;

  constructor(config: DPRConfig, store: WeightStore, prefix: string) {
    const H = config.hidden_size;
    this.dropoutRate = config.hidden_dropout_prob;
    this.dense = new Linear(store, `${prefix}.dense`, H, H);
    this.layerNorm = new LayerNorm(store, `${prefix}.LayerNorm`, H, config.layer_norm_eps);
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    const H = config.hidden_size;
    return [...Linear.weightSpecs(`${prefix}.dense`, H, H), ...LayerNorm.weightSpecs(`${prefix}.LayerNorm`, H)];
  }

  /** context [B·T, H], residual [B·T, H] → [B·T, H] */
  apply(context: tf.Tensor2D, residual: tf.Tensor2D, training?: TrainingPass): tf.Tensor2D {
    return addThenNorm(this.dense, this.layerNorm, context, residual, training, this.dropoutRate);
  }
}
