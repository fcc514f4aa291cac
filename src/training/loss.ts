/**
 * DPR's `BiEncoderNllLoss` (dpr/models/biencoder.py): scores = Q · Cᵀ over the whole batch; each
 * question's own contexts come first in its block ([positive, other negatives…, hard negatives…]),
 * every other question's contexts act as in-batch negatives. Loss = mean over questions of
 * −log_softmax(scores row)[positive]. Written with differentiable tfjs ops only.
 *
 * Shapes: nq questions, nc contexts, D vector width.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { registerTrainingGradients } from './gradients.js';

export interface BiEncoderLoss {
  /** scalar: the mean NLL */
  loss: tf.Scalar;
  /** [nq, nc] */
  scores: tf.Tensor2D;
}

/** One-hot rows [nq, nc] marking each question's positive context (checked to be in range). */
function positiveMask(positiveIndices: readonly number[], contexts: number): tf.Tensor2D {
  positiveIndices.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 0 || p >= contexts) {
      throw new InputError(`positiveIndices[${i}] must be an integer in [0, ${contexts}), found ${p}.`);
    }
  });
  return tf.cast(tf.oneHot(tf.tensor1d(positiveIndices as number[], 'int32'), contexts), 'float32') as tf.Tensor2D;
}

/**
 * questionVectors [nq, D], contextVectors [nc, D], positiveIndices[i] = index (into the contexts)
 * of question i's positive. The caller owns the returned tensors.
 */
export function biEncoderNllLoss(
  questionVectors: tf.Tensor2D,
  contextVectors: tf.Tensor2D,
  positiveIndices: readonly number[],
): BiEncoderLoss {
  const [nq, d] = questionVectors.shape;
  const [nc, dc] = contextVectors.shape;
  if (d !== dc) throw new InputError(`questionVectors and contextVectors must have the same width, found ${d} and ${dc}.`);
  if (positiveIndices.length !== nq) {
    throw new InputError(`positiveIndices must have one entry per question (${nq}), found ${positiveIndices.length}.`);
  }
  registerTrainingGradients();
  return tf.tidy(() => {
    const mask = positiveMask(positiveIndices, nc);
    const scores: tf.Tensor2D = tf.matMul(questionVectors, contextVectors, false, true); // [nq, nc]
    const logProbs = tf.logSoftmax(scores, 1); // [nq, nc]
    const loss = tf.div(tf.neg(tf.sum(tf.mul(logProbs, mask))), nq) as tf.Scalar;
    return { loss, scores };
  });
}

/** How many questions score their positive highest (DPR's `correct_predictions_count`; ties go to the first index, as torch.max). */
export function countCorrect(scores: ArrayLike<number>, contexts: number, positiveIndices: readonly number[]): number {
  let correct = 0;
  positiveIndices.forEach((positive, q) => {
    let best = 0;
    for (let c = 1; c < contexts; c++) if (scores[q * contexts + c]! > scores[q * contexts + best]!) best = c;
    if (best === positive) correct++;
  });
  return correct;
}
