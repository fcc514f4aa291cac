/**
 * What every layer of one forward pass shares, passed down as one object (HF passes these as
 * keyword arguments through BertEncoder → BertLayer → BertAttention → BertSelfAttention).
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface ForwardContext {
  /** [B, 1, 1, T]: 0 where attended, float32 min where masked. */
  additiveMask: tf.Tensor4D;
  /** B */
  batch: number;
  /** T */
  seq: number;
  /** Return each layer's attention probabilities ([B, nh, T, T]). */
  outputAttentions: boolean;
  /** Return the embeddings and each layer's output. */
  outputHiddenStates: boolean;
  /** Set only for a training forward pass (src/training): dropout as configured, differentiable ops only. */
  training?: TrainingPass;
}

/** What a training forward pass adds: HF's nn.Dropout, which inference leaves out. */
export interface TrainingPass {
  /** Inverted dropout (kept values scaled by 1/(1 − rate)) with a fresh seeded mask; x itself when rate is 0. */
  dropout<T extends tf.Tensor>(x: T, rate: number): T;
}
