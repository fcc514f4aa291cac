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
}
