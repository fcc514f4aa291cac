/**
 * `torch.nn.utils.clip_grad_norm_(parameters, max_norm)` with norm type 2, over the gradients of
 * both encoders together (DPR clips `biencoder.parameters()`): total = ‖(‖g₁‖, ‖g₂‖, …)‖, every
 * gradient scaled by min(1, max_norm / (total + 1e-6)).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ClippedGradients {
  /** The scaled gradients, by the same names (new tensors; the inputs are not disposed). */
  grads: Map<string, tf.Tensor>;
  /** The total norm before clipping (a scalar tensor). */
  totalNorm: tf.Scalar;
}

export function clipGradNorm(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number): ClippedGradients {
  const names = [...grads.keys()];
  // tf.tidy keeps what the returned arrays reach (it does not look inside a Map).
  const [totalNorm, ...scaled] = tf.tidy(() => {
    const values = [...grads.values()];
    const total = tf.norm(tf.stack(values.map((g) => tf.norm(g)))) as tf.Scalar;
    const coef = tf.minimum(tf.div(maxNorm, tf.add(total, 1e-6)), 1);
    return [total, ...values.map((g) => tf.mul(g, coef))];
  });
  return { grads: new Map(names.map((n, i) => [n, scaled[i]!])), totalNorm: totalNorm as tf.Scalar };
}
