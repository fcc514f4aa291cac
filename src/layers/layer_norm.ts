/**
 * torch.nn.LayerNorm over the last axis: (x − mean) / √(var + eps) · γ + β, biased variance.
 * One native kernel when the optional addon is registered (src/kernels/fused_elementwise.ts),
 * else composed tfjs ops; `applyWithResidual` fuses BERT's residual add into it.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { addLayerNorm, addLayerNormComposed } from '../kernels/fused_elementwise.js';
import type { WeightSpec, WeightStore } from './weight_store.js';

export class LayerNorm {
  readonly weight: tf.Tensor1D;
  readonly bias: tf.Tensor1D;

  constructor(
    store: WeightStore,
    prefix: string,
    size: number,
    readonly eps: number,
  ) {
    const specs = LayerNorm.specs(prefix, size);
    this.weight = store.take(specs.weight) as tf.Tensor1D;
    this.bias = store.take(specs.bias) as tf.Tensor1D;
  }

  private static specs(prefix: string, size: number) {
    return {
      weight: { name: `${prefix}.weight`, shape: [size] },
      bias: { name: `${prefix}.bias`, shape: [size] },
    } satisfies Record<string, WeightSpec>;
  }

  static weightSpecs(prefix: string, size: number): WeightSpec[] {
    return Object.values(LayerNorm.specs(prefix, size));
  }

  apply<T extends tf.Tensor>(x: T): T {
    return addLayerNorm(x, null, this.weight, this.bias, this.eps);
  }

  /**
   * LayerNorm(x) from tfjs ops, for training: the native kernel's gradient (src/training/gradients.ts)
   * covers only the residual form, which every BERT block uses; this one serves the embeddings.
   */
  applyDifferentiable<T extends tf.Tensor>(x: T): T {
    return addLayerNormComposed(x, null, this.weight, this.bias, this.eps);
  }

  /** LayerNorm(x + residual), x and residual of the same shape. */
  applyWithResidual<T extends tf.Tensor>(x: T, residual: T): T {
    return addLayerNorm(x, residual, this.weight, this.bias, this.eps);
  }
}
