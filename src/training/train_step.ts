/**
 * One micro-batch of DPR's `_train_epoch`: forward both encoders, BiEncoderNllLoss (divided by the
 * accumulation count, as DPR does), gradients of every parameter of both encoders; then DPR's
 * order of updates: add to the accumulated gradients, clip the accumulated sum over both encoders
 * together (DPR clips after every backward), and every `gradAccumulation` micro-batches one AdamW
 * update with the schedule's rate and a reset.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from './adamw.js';
import { clipGradNorm } from './clip.js';
import type { BiEncoderTexts, TokenizeOptions } from './biencoder_batch.js';
import { tokenizeContexts, tokenizeQuestions } from './biencoder_batch.js';
import type { TrainableEncoder } from './encoder_pair.js';
import { registerTrainingGradients } from './gradients.js';
import { biEncoderNllLoss, countCorrect } from './loss.js';

export interface MicroBatchResult {
  /** The unscaled loss of this micro-batch. */
  loss: number;
  /** [questions, contexts], row-major. */
  scores: Float32Array;
  contexts: number;
  correct: number;
  /** Questions + contexts encoded. */
  passages: number;
  /** Gradients by parameter name, of loss / lossDivisor (caller owns them). */
  grads: Map<string, tf.Tensor>;
}

/** Both encoders' parameters in one map (their HF names never collide: question_encoder.* / ctx_encoder.*). */
export function jointParameters(question: TrainableEncoder, context: TrainableEncoder): Map<string, tf.Variable> {
  return new Map([...question.parameters, ...context.parameters]);
}

/**
 * Forward and backward of one micro-batch. `lossDivisor` is DPR's gradient_accumulation_steps.
 * Dropout seeds are derived from `dropoutSeed` (one per encoder).
 */
export function microBatchGradients(
  question: TrainableEncoder,
  context: TrainableEncoder,
  texts: BiEncoderTexts,
  options: TokenizeOptions & { training: boolean; dropoutSeed: number; lossDivisor: number },
): MicroBatchResult {
  registerTrainingGradients();
  const qRows = tokenizeQuestions(question.tokenizer, texts.questions, options);
  const cRows = tokenizeContexts(context.tokenizer, texts.contexts, options);
  const params = jointParameters(question, context);
  const byVariableName = new Map([...params].map(([name, v]) => [v.name, name]));
  let scores: tf.Tensor2D | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const q = question.encode(qRows, { training: options.training, dropoutSeed: options.dropoutSeed });
    const c = context.encode(cRows, { training: options.training, dropoutSeed: options.dropoutSeed + 7919 });
    const out = biEncoderNllLoss(q, c, texts.positiveIndices);
    scores = tf.keep(out.scores);
    return tf.div(out.loss, options.lossDivisor) as tf.Scalar;
  }, [...params.values()]);
  const named = new Map<string, tf.Tensor>();
  for (const [variableName, g] of Object.entries(grads)) named.set(byVariableName.get(variableName)!, g);
  const scoreValues = (scores as unknown as tf.Tensor2D).dataSync() as Float32Array;
  const loss = value.dataSync()[0]! * options.lossDivisor;
  tf.dispose([value, scores as unknown as tf.Tensor2D]);
  const nc = texts.contexts.length;
  return {
    loss,
    scores: scoreValues,
    contexts: nc,
    correct: countCorrect(scoreValues, nc, texts.positiveIndices),
    passages: texts.questions.length + nc,
    grads: named,
  };
}

/** The accumulated, clipped gradients between optimiser updates. */
export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  /** Micro-batches added since the last update. */
  count = 0;
  /** Total norm (before clipping) after the last add. */
  lastNorm = 0;

  constructor(private readonly maxGradNorm: number) {}

  /** Adds `grads` (and disposes them), then clips the running sum as torch's clip_grad_norm_ would. */
  add(grads: Map<string, tf.Tensor>): void {
    const summed = new Map<string, tf.Tensor>();
    for (const [name, g] of grads) {
      const previous = this.sums.get(name);
      summed.set(name, previous === undefined ? g : tf.add(previous, g));
      if (previous !== undefined) tf.dispose([previous, g]);
    }
    for (const [name, t] of this.sums) if (!summed.has(name)) summed.set(name, t);
    this.sums = summed;
    this.count++;
    if (this.maxGradNorm > 0) {
      const clipped = clipGradNorm(this.sums, this.maxGradNorm);
      this.lastNorm = clipped.totalNorm.dataSync()[0]!;
      tf.dispose([...this.sums.values(), clipped.totalNorm]);
      this.sums = clipped.grads;
    } else {
      this.lastNorm = tf.tidy(() => tf.norm(tf.stack([...this.sums.values()].map((g) => tf.norm(g)))).dataSync()[0]!);
    }
  }

  /** Applies the sum with `lr` and resets. */
  step(optimizer: AdamW, lr: number): void {
    optimizer.step(this.sums, lr);
    this.reset();
  }

  /** The pending sums as arrays (checkpoints). */
  async export(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, t] of this.sums) out.set(name, (await t.data()) as Float32Array);
    return out;
  }

  restore(values: ReadonlyMap<string, Float32Array>, shapes: ReadonlyMap<string, number[]>, count: number): void {
    this.reset();
    for (const [name, v] of values) this.sums.set(name, tf.tensor(v, shapes.get(name)));
    this.count = count;
  }

  reset(): void {
    tf.dispose([...this.sums.values()]);
    this.sums = new Map();
    this.count = 0;
  }
}
