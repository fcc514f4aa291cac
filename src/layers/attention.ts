/**
 * Mirrors HF `BertAttention`: self-attention followed by its output block.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { BertSelfAttention } from './self_attention.js';
import { BertSelfOutput } from './self_output.js';
import type { ForwardContext } from './forward_context.js';
import type { WeightSpec, WeightStore } from './weight_store.js';

export class BertAttention {
  readonly self: BertSelfAttention;
  readonly output: BertSelfOutput;

  constructor(config: DPRConfig, store: WeightStore, prefix: string) {
    this.self = new BertSelfAttention(config, store, `${prefix}.self`);
    this.output = new BertSelfOutput(config, store, `${prefix}.output`);
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    return [...BertSelfAttention.weightSpecs(config, `${prefix}.self`), ...BertSelfOutput.weightSpecs(config, `${prefix}.output`)];
  }

  apply(hidden: tf.Tensor2D, ctx: ForwardContext): { output: tf.Tensor2D; probs?: tf.Tensor4D } {
    return tf.tidy(() => {
      const { context, probs } = this.self.apply(hidden, ctx);
      const output = this.output.apply(context, hidden, ctx.training);
      return probs === undefined ? { output } : { output, probs };
    });
  }
}
