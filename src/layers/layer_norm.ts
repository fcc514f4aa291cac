/**
 * torch.nn.LayerNorm over the last axis: (x − mean) / √(var + eps) · γ + β, biased variance.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WeightSpec, WeightStore } from './weight_store.js';

export class LayerNorm {
  readonly weight: tf.Tensor1D;
  readonly bias: tf.Tensor1D;

  constructor(store: WeightStore, prefix: string, readonly eps: number) {
    this.weight = store.get(`${prefix}.weight`) as tf.Tensor1D;
    this.bias = store.get(`${prefix}.bias`) as tf.Tensor1D;
  }

  static weightSpecs(prefix: string, size: number): WeightSpec[] {
    return [
      { name: `${prefix}.weight`, shape: [size] },
      { name: `${prefix}.bias`, shape: [size] },
    ];
  }

  apply<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      const mean = tf.mean(x, -1, true);
      const centered = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centered), -1, true);
      const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed, this.weight), this.bias) as T;
    });
  }
}
