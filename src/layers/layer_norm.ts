/**
 * torch.nn.LayerNorm over the last axis: (x − mean) / √(var + eps) · γ + β, biased variance.
 * One native kernel when the optional addon is registered (src/kernels/fused_elementwise.ts),
 * else composed tfjs ops; `applyWithResidual` fuses BERT's residual add into it.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { addLayerNorm } from '../kernels/fused_elementwise.js';
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
    return addLayerNorm(x, null, this.weight, this.bias, this.eps);
  }

  /** LayerNorm(x + residual), x and residual of the same shape. */
  applyWithResidual<T extends tf.Tensor>(x: T, residual: T): T {
    return addLayerNorm(x, residual, this.weight, this.bias, this.eps);
  }
}
