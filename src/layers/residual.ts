/**
 * The tail shared by HF `BertSelfOutput` and `BertOutput`: LayerNorm(dense(x) + residual), the add
 * fused into the LayerNorm (one native kernel when the addon is registered).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayerNorm } from './layer_norm.js';
import type { Linear } from './linear.js';
import type { TrainingPass } from './forward_context.js';

export function addThenNorm(
  dense: Linear,
  layerNorm: LayerNorm,
  x: tf.Tensor2D,
  residual: tf.Tensor2D,
  training?: TrainingPass,
  dropoutRate = 0,
): tf.Tensor2D {
  return tf.tidy(() => {
    const projected = dense.apply(x);
    return layerNorm.applyWithResidual(training === undefined ? projected : training.dropout(projected, dropoutRate), residual);
  });
}
