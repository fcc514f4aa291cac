/**
 * The tail shared by HF `BertSelfOutput` and `BertOutput`: LayerNorm(dense(x) + residual), the add
 * fused into the LayerNorm (one native kernel when the addon is registered).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayerNorm } from './layer_norm.js';
import type { Linear } from './linear.js';

export function addThenNorm(dense: Linear, layerNorm: LayerNorm, x: tf.Tensor2D, residual: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => layerNorm.applyWithResidual(dense.apply(x), residual));
}
