/**
 * Encoder speed on a BERT-base-sized DPR context encoder with random weights (768 hidden,
 * 12 layers, 12 heads, 3072 intermediate): passages/s at batch 32 × 128 and × 256 tokens, and the
 * latency of one 32-token question, per backend and worker count.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type BackendName } from '../src/backend.js';
import { makeConfig } from '../src/config.js';
import { TFDPRContextEncoder } from '../src/models/context_encoder.js';
import { TFDPRQuestionEncoder } from '../src/models/question_encoder.js';
import { randomWeightArrays } from '../src/models/random_weights.js';
import { EncoderPool } from '../src/pool/encoder_pool.js';

export const BERT_BASE = makeConfig({});

export type BenchRow = Record<string, string | number>;

/** Deterministic ids without padding (every token is computed). */
export function benchIds(batch: number, seq: number): number[][] {
  return Array.from({ length: batch }, (_, b) =>
    Array.from({ length: seq }, (_, t) => (t === 0 ? 101 : t === seq - 1 ? 102 : 1000 + ((b * 7919 + t * 104729) % 28000))),
  );
}

/** Runs `fn` once to warm up (on a small input), then times it until `minRuns` runs or `budgetMs`; returns the best time. */
async function bestTime(warmup: () => Promise<void>, fn: () => Promise<void>, minRuns: number, budgetMs: number): Promise<number> {
  await warmup();
  const started = performance.now();
  let best = Infinity;
  for (let run = 0; run < minRuns; run++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
    if (performance.now() - started > budgetMs) break;
  }
  return best;
}

export interface ModelBenchOptions {
  backend: BackendName;
  /** 1 = in-process (no pool); more = EncoderPool with that many workers. */
  workers: number;
  batch: number;
  seq: number;
  budgetMs?: number;
}

/** passages/s for one (backend, workers, batch, seq). */
export async function benchPassages(options: ModelBenchOptions): Promise<BenchRow> {
  const { backend, workers, batch, seq } = options;
  const weights = randomWeightArrays(TFDPRContextEncoder.weightSpecs(BERT_BASE));
  const ids = benchIds(batch, seq);
  const small = benchIds(Math.min(batch, workers), seq);
  let ms: number;
  if (workers === 1) {
    await setBackend(backend);
    const model = TFDPRContextEncoder.fromWeights(BERT_BASE, weights);
    const run = async (input_ids: number[][]) => {
      const out = model.call({ input_ids });
      await out.pooler_output.data();
      tf.dispose(out as unknown as tf.TensorContainer);
    };
    ms = await bestTime(() => run(small), () => run(ids), 2, options.budgetMs ?? 60_000);
    model.dispose();
  } else {
    const pool = await EncoderPool.create({ kind: 'context', source: { config: BERT_BASE, weights }, workers, backend });
    try {
      ms = await bestTime(async () => void (await pool.encode({ input_ids: small })), async () => void (await pool.encode({ input_ids: ids })), 2, options.budgetMs ?? 60_000);
    } finally {
      await pool.close();
    }
  }
  return { workload: 'passages', batch, seq, backend, workers, passages_per_s: Number(((batch * 1000) / ms).toFixed(3)) };
}

/** Latency of one question of `seq` tokens, in process. */
export async function benchQuestion(backend: BackendName, seq: number): Promise<BenchRow> {
  await setBackend(backend);
  const model = TFDPRQuestionEncoder.fromWeights(BERT_BASE, randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(BERT_BASE)));
  const ids = benchIds(1, seq);
  const run = async () => {
    const out = model.call({ input_ids: ids });
    await out.pooler_output.data();
    tf.dispose(out as unknown as tf.TensorContainer);
  };
  const ms = await bestTime(run, run, 5, 30_000);
  model.dispose();
  return { workload: 'question', seq, backend, workers: 1, ms: Number(ms.toFixed(1)) };
}
