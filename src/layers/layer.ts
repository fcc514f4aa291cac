/**
 * Mirrors HF `BertLayer`: attention, intermediate, output.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { BertAttention } from './attention.js';
import { BertIntermediate } from './intermediate.js';
import { BertOutput } from './output.js';
import type { ForwardContext } from './forward_context.js';
import type { WeightSpec, WeightStore } from './weight_store.js';

export class BertLayer {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertOutput;

  constructor(config: DPRConfig, store: WeightStore, prefix: string) {
    this.attention = new BertAttention(config, store, `${prefix}.attention`);
    this.intermediate = new BertIntermediate(config, store, `${prefix}.intermediate`);
    this.output = new BertOutput(config, store, `${prefix}.output`);
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    return [
      ...BertAttention.weightSpecs(config, `${prefix}.attention`),
      ...BertIntermediate.weightSpecs(config, `${prefix}.intermediate`),
      ...BertOutput.weightSpecs(config, `${prefix}.output`),
    ];
  }

  /** hidden [B·T, H] → [B·T, H] (and attention probs [B, nh, T, T] when asked). */
  apply(hidden: tf.Tensor2D, ctx: ForwardContext): { output: tf.Tensor2D; probs?: tf.Tensor4D } {
    return tf.tidy(() => {
      const attended = this.attention.apply(hidden, ctx);
      const output = this.output.apply(this.intermediate.apply(attended.output), attended.output, ctx.training);
      return attended.probs === undefined ? { output } : { output, probs: attended.probs };
    });
  }
}
