/**
 * The TrainingPass the layers receive in a training forward pass: HF's nn.Dropout with seeded
 * masks. Each call draws from `seed + n` for the n-th dropout of the pass, so a pass with the same
 * seed (a resumed run) draws the same masks; a rate of 0 (the reference run) is the identity.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingPass } from '../layers/forward_context.js';

export function seededTrainingPass(seed: number): TrainingPass {
  let calls = 0;
  return {
    dropout<T extends tf.Tensor>(x: T, rate: number): T {
      if (rate === 0) return x;
      return tf.dropout(x, rate, undefined, seed + calls++) as T;
    },
  };
}
