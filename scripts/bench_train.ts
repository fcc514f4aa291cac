/**
 * Training speed: one DPR update (tokenise, forward and backward of both encoders, BiEncoderNllLoss,
 * joint clipping, AdamW) on a BERT-base question/context pair with random weights, batch 16
 * questions with 1 hard negative each (16 + 32 passages) at 128 tokens. Reports passages
 * (questions + contexts) per second, per backend and matMul kernels.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type BackendName } from '../src/backend.js';
import { nativeKernelStatus, registerNativeKernels, unregisterNativeKernels } from '../src/kernels/native_kernels.js';
import { TFDPRContextEncoder } from '../src/models/context_encoder.js';
import { TFDPRQuestionEncoder } from '../src/models/question_encoder.js';
import { randomWeightArrays } from '../src/models/random_weights.js';
import { DPRContextEncoderTokenizer, DPRQuestionEncoderTokenizer, parseVocabTxt } from '../src/tokenizers/index.js';
import { AdamW } from '../src/training/adamw.js';
import { createBiEncoderTexts } from '../src/training/biencoder_batch.js';
import { DPRTrainableEncoder } from '../src/training/dpr_trainable.js';
import { GradientAccumulator, jointParameters, microBatchGradients } from '../src/training/train_step.js';
import { BERT_BASE, type BenchRow, type MatMulChoice } from './bench_model.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function vocab(): Map<string, number> {
  const dir = process.env['DPR_REFERENCE_DIR'] ?? join(ROOT, '..', 'shared', 'reference');
  const path = join(dir, 'vocab', 'bert-base-uncased-vocab.txt');
  if (!existsSync(path)) throw new Error(`vocabulary not found at ${path}; set DPR_REFERENCE_DIR to the shared/reference directory.`);
  return parseVocabTxt(readFileSync(path, 'utf8'));
}

const WORDS =
  'the river city state university government population history century known church school film music company tower physics prize'.split(
    ' ',
  );

/** A text of well over 128 word pieces (truncated to 128 by the tokenizer), varied by `seed`. */
function longText(seed: number): string {
  return Array.from({ length: 160 }, (_, i) => WORDS[(seed * 7 + i * 13) % WORDS.length]).join(' ');
}

export async function benchTrain(backend: BackendName, matmulChoice: MatMulChoice, steps = 2): Promise<BenchRow | undefined> {
  await setBackend(backend);
  unregisterNativeKernels();
  if (matmulChoice === 'native' && !(await registerNativeKernels())) return undefined;
  const matmul = matmulChoice === 'native' ? `native-${nativeKernelStatus().isa}` : 'tfjs';
  const v = vocab();
  const q = new DPRTrainableEncoder(
    TFDPRQuestionEncoder.fromWeights(BERT_BASE, randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(BERT_BASE), 1, 0.02), {
      trainable: true,
    }),
    new DPRQuestionEncoderTokenizer(v),
  );
  const c = new DPRTrainableEncoder(
    TFDPRContextEncoder.fromWeights(BERT_BASE, randomWeightArrays(TFDPRContextEncoder.weightSpecs(BERT_BASE), 2, 0.02), {
      trainable: true,
    }),
    new DPRContextEncoderTokenizer(v),
  );
  const optimizer = new AdamW(jointParameters(q, c), { weightDecay: 0 });
  const accumulator = new GradientAccumulator(2.0);
  const samples = Array.from({ length: 16 }, (_, i) => ({
    question: longText(i),
    answers: [],
    negative_ctxs: [],
    positive_ctxs: [{ title: 'title', text: longText(100 + i) }],
    hard_negative_ctxs: [{ title: 'title', text: longText(200 + i) }],
  }));
  const texts = createBiEncoderTexts(samples, { hardNegatives: 1, otherNegatives: 0 }, null);
  const step = () => {
    const result = microBatchGradients(q, c, texts, { maxLength: 128, training: true, dropoutSeed: 1, lossDivisor: 1 });
    accumulator.add(result.grads);
    accumulator.step(optimizer, 1e-5);
    return result.passages;
  };
  try {
    step(); // warm-up: kernels, moments allocated
    let best = Infinity;
    let passages = 0;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      passages = step();
      best = Math.min(best, performance.now() - t0);
    }
    return {
      workload: 'train',
      model: 'BERT-base pair',
      batch: 16,
      hard_negatives: 1,
      seq: 128,
      backend,
      matmul,
      step_s: Number((best / 1000).toFixed(2)),
      passages_per_s: Number(((passages * 1000) / best).toFixed(2)),
    };
  } catch (e) {
    return {
      workload: 'train',
      model: 'BERT-base pair',
      batch: 16,
      hard_negatives: 1,
      seq: 128,
      backend,
      matmul,
      error: (e as Error).message.slice(0, 80),
    };
  } finally {
    optimizer.dispose();
    accumulator.reset();
    q.dispose();
    c.dispose();
    tf.disposeVariables();
  }
}
