/**
 * torch.nn.Linear: y = x · Wᵀ + b. The checkpoint stores W as [out, in] (PyTorch's layout, and
 * the name and shape the loader checks); at load it is transposed once to [in, out], so each call
 * is a plain `x · W'` with the bias fused into the matMul.
 *
 * Why not `matMul(x, W, false, true)`: tfjs-backend-wasm 4.22's fused matMul adds the bias wrongly
 * when transposeB is set (measured: 0.6 max error on a 10×8·8×6 product), and a transposed weight
 * copy costs nothing per call.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WeightSpec, WeightStore } from './weight_store.js';

export class Linear {
  /** [in, out]; undefined in a trainable store. */
  readonly weightT?: tf.Tensor2D;
  /** [out, in], the trainable variable itself; only in a trainable store. */
  readonly weight?: tf.Tensor2D;
  /** [out] */
  readonly bias: tf.Tensor1D;

  constructor(store: WeightStore, prefix: string, inFeatures: number, outFeatures: number) {
    const specs = Linear.specs(prefix, inFeatures, outFeatures);
    // A trainable store keeps the variable in PyTorch's layout, so gradients land on it directly;
    // each call then multiplies by its transpose (matMul with transposeB, bias added apart).
    if (store.trainable) this.weight = store.take(specs.weight) as tf.Tensor2D;
    else this.weightT = store.derive(`${prefix}.weight(transposed)`, specs.weight, (w) => tf.transpose(w)) as tf.Tensor2D;
    this.bias = store.take(specs.bias) as tf.Tensor1D;
  }

  private static specs(prefix: string, inFeatures: number, outFeatures: number) {
    return {
      weight: { name: `${prefix}.weight`, shape: [outFeatures, inFeatures] },
      bias: { name: `${prefix}.bias`, shape: [outFeatures] },
    } satisfies Record<string, WeightSpec>;
  }

  static weightSpecs(prefix: string, inFeatures: number, outFeatures: number): WeightSpec[] {
    return Object.values(Linear.specs(prefix, inFeatures, outFeatures));
  }

  /** [N, in] → [N, out] */
  apply(x: tf.Tensor2D, activation?: 'relu'): tf.Tensor2D {
    if (this.weightT === undefined) {
      return tf.tidy(() => {
        const y = tf.add(tf.matMul(x, this.weight!, false, true), this.bias) as tf.Tensor2D;
        return activation === 'relu' ? tf.relu(y) : y;
      });
    }
    return tf.fused.matMul({ a: x, b: this.weightT, bias: this.bias, activation: activation ?? 'linear' }) as tf.Tensor2D;
  }
}
