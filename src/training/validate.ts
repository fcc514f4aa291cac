/**
 * DPR's validation (train_dense_encoder.py `validate_nll`, `validate_average_rank`) with dropout off:
 * dev samples in file order, negatives unshuffled, batches of `devBatchSize` (the last one may be
 * short; DPR would drop it).
 * - NLL: the training loss on each dev batch (training's hard/other negatives), averaged over batches.
 * - Average rank: every dev question (up to validationMaxQuestions) scored against the contexts of
 *   all dev questions (each its positive plus up to 30 + 30 negatives), the 0-based rank of its
 *   positive, averaged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createBiEncoderTexts, tokenizeContexts, tokenizeQuestions, type BiEncoderTexts } from './biencoder_batch.js';
import type { TrainableEncoder } from './encoder_pair.js';
import { biEncoderNllLoss } from './loss.js';
import type { TrainingOptions } from './options.js';
import type { SampleSource } from './training_data.js';
import { averageRank } from './validation.js';

export interface ValidationResult {
  nll: number;
  averageRank: number;
  questions: number;
}

/** Sub-batch size for encoding validation contexts (DPR val_av_rank_bsz). */
const ENCODE_BATCH = 128;

function devBatches(dev: SampleSource, batchSize: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < dev.size; start += batchSize) {
    batches.push(Array.from({ length: Math.min(batchSize, dev.size - start) }, (_, i) => start + i));
  }
  return batches;
}

/** Vectors [n, D] of `rows` encoded in sub-batches, as one Float32Array. */
function encodeAll(
  encoder: TrainableEncoder,
  texts: BiEncoderTexts,
  kind: 'questions' | 'contexts',
  o: TrainingOptions,
): { values: Float32Array; width: number } {
  const parts: Float32Array[] = [];
  let width = 0;
  const items = kind === 'questions' ? texts.questions : texts.contexts;
  for (let start = 0; start < items.length; start += ENCODE_BATCH) {
    const tokenize = { maxLength: o.maxLength, contextTokenTypes: o.contextTokenTypes };
    const rows =
      kind === 'questions'
        ? tokenizeQuestions(encoder.tokenizer, texts.questions.slice(start, start + ENCODE_BATCH), tokenize)
        : tokenizeContexts(encoder.tokenizer, texts.contexts.slice(start, start + ENCODE_BATCH), tokenize);
    const vectors = encoder.encode(rows, { training: false });
    width = vectors.shape[1];
    parts.push(vectors.dataSync() as Float32Array);
    vectors.dispose();
  }
  return { values: concat(parts), width };
}

function validateNll(question: TrainableEncoder, context: TrainableEncoder, dev: SampleSource, o: TrainingOptions): number {
  let total = 0;
  const batches = devBatches(dev, o.devBatchSize);
  for (const positions of batches) {
    const texts = createBiEncoderTexts(
      positions.map((p) => dev.get(p)),
      o,
      null,
    );
    const q = encodeAll(question, texts, 'questions', o);
    const c = encodeAll(context, texts, 'contexts', o);
    total += tf.tidy(() => {
      const { loss } = biEncoderNllLoss(
        tf.tensor2d(q.values, [texts.questions.length, q.width]),
        tf.tensor2d(c.values, [texts.contexts.length, c.width]),
        texts.positiveIndices,
      );
      return loss.dataSync()[0]!;
    });
  }
  return total / batches.length;
}

function validateAverageRank(
  question: TrainableEncoder,
  context: TrainableEncoder,
  dev: SampleSource,
  o: TrainingOptions,
): { averageRank: number; questions: number } {
  const negatives = { hardNegatives: o.validationHardNegatives, otherNegatives: o.validationOtherNegatives };
  const qParts: Float32Array[] = [];
  const cParts: Float32Array[] = [];
  const positives: number[] = [];
  let contexts = 0;
  let width = 0;
  for (const positions of devBatches(dev, o.devBatchSize)) {
    if (positives.length > o.validationMaxQuestions) break; // DPR's check, before each batch
    const texts = createBiEncoderTexts(
      positions.map((p) => dev.get(p)),
      negatives,
      null,
    );
    const q = encodeAll(question, texts, 'questions', o);
    const c = encodeAll(context, texts, 'contexts', o);
    width = q.width;
    qParts.push(q.values);
    cParts.push(c.values);
    positives.push(...texts.positiveIndices.map((i) => contexts + i));
    contexts += texts.contexts.length;
  }
  const ctx = tf.tensor2d(concat(cParts), [contexts, width]);
  const qAll = concat(qParts);
  let rankSum = 0;
  // Questions in blocks, so the score matrix never needs questions × all contexts at once.
  for (let start = 0; start < positives.length; start += 64) {
    const n = Math.min(64, positives.length - start);
    const scores = tf.tidy(() =>
      tf.matMul(tf.tensor2d(qAll.subarray(start * width, (start + n) * width), [n, width]), ctx, false, true).dataSync(),
    );
    rankSum += averageRank(scores, contexts, positives.slice(start, start + n)) * n;
  }
  ctx.dispose();
  return { averageRank: rankSum / positives.length, questions: positives.length };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function validateBiEncoder(
  question: TrainableEncoder,
  context: TrainableEncoder,
  dev: SampleSource,
  o: TrainingOptions,
): ValidationResult {
  const nll = validateNll(question, context, dev, o);
  const { averageRank: rank, questions } = validateAverageRank(question, context, dev, o);
  return { nll, averageRank: rank, questions };
}
