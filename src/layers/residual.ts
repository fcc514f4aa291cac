/**
 * The tail shared by HF `BertSelfOutput` and `BertOutput`: LayerNorm(dense(x) + residual).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayerNorm } from './layer_norm.js';
import type { Linear } from './linear.js';

export function addThenNorm(dense: Linear, layerNorm: LayerNorm, x: tf.Tensor2D, residual: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => layerNorm.apply(tf.add(dense.apply(x), residual) as tf.Tensor2D));
}
