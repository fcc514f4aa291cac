/**
 * Encoder speed on a BERT-base-sized DPR context encoder with random weights (768 hidden,
 * 12 layers, 12 heads, 3072 intermediate): passages/s at batch 32 × 128 and × 256 tokens, and the
 * latency of one 32-token question, per backend and worker count.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type BackendName } from '../src/backend.js';
import { makeConfig } from '../src/config.js';
import { TFDPRContextEncoder } from '../src/models/context_encoder.js';
import { TFDPRQuestionEncoder } from '../src/models/question_encoder.js';
import { randomWeightArrays } from '../src/models/random_weights.js';
import {
  NATIVE_KERNELS_ENV_VAR,
  nativeKernelStatus,
  registerNativeKernels,
  unregisterNativeKernels,
} from '../src/kernels/native_kernels.js';
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

export type MatMulChoice = 'tfjs' | 'native';

/**
 * Puts this thread's matMul kernels in the chosen state and returns the label for the table, or
 * undefined when 'native' was asked for but the addon is not built here.
 */
async function chooseMatMul(matmul: MatMulChoice, threads?: number): Promise<string | undefined> {
  unregisterNativeKernels();
  if (matmul === 'tfjs') return 'tfjs';
  if (!(await registerNativeKernels(threads !== undefined ? { threads } : {}))) return undefined;
  const status = nativeKernelStatus();
  return `native-${status.isa}`;
}

export interface ModelBenchOptions {
  backend: BackendName;
  matmul: MatMulChoice;
  /** 1 = in-process (no pool); more = EncoderPool with that many workers. */
  workers: number;
  batch: number;
  seq: number;
  budgetMs?: number;
}

/** passages/s for one (backend, matMul kernels, workers, batch, seq); undefined when the native GEMM is asked for but absent. */
export async function benchPassages(options: ModelBenchOptions): Promise<BenchRow | undefined> {
  const { backend, workers, batch, seq } = options;
  await setBackend(backend);
  const cores = availableParallelism();
  const gemmThreads = workers === 1 ? cores : Math.max(1, Math.floor(cores / workers));
  const matmul = await chooseMatMul(options.matmul, gemmThreads);
  if (matmul === undefined) return undefined;
  const weights = randomWeightArrays(TFDPRContextEncoder.weightSpecs(BERT_BASE));
  const ids = benchIds(batch, seq);
  const small = benchIds(Math.min(batch, workers), seq);
  let ms: number;
  if (workers === 1) {
    const model = TFDPRContextEncoder.fromWeights(BERT_BASE, weights);
    const run = async (input_ids: number[][]) => {
      const out = model.call({ input_ids });
      await out.pooler_output.data();
      tf.dispose(out as unknown as tf.TensorContainer);
    };
    ms = await bestTime(
      () => run(small),
      () => run(ids),
      2,
      options.budgetMs ?? 60_000,
    );
    model.dispose();
  } else {
    // Workers read the switch from their environment when they start.
    const saved = process.env[NATIVE_KERNELS_ENV_VAR];
    if (options.matmul === 'tfjs') process.env[NATIVE_KERNELS_ENV_VAR] = '0';
    const pool = await EncoderPool.create({ kind: 'context', source: { config: BERT_BASE, weights }, workers, backend }).finally(() => {
      if (saved === undefined) delete process.env[NATIVE_KERNELS_ENV_VAR];
      else process.env[NATIVE_KERNELS_ENV_VAR] = saved;
    });
    try {
      ms = await bestTime(
        async () => void (await pool.encode({ input_ids: small })),
        async () => void (await pool.encode({ input_ids: ids })),
        2,
        options.budgetMs ?? 60_000,
      );
    } finally {
      await pool.close();
    }
  }
  return {
    workload: 'passages',
    batch,
    seq,
    backend,
    matmul,
    workers,
    gemm_threads: matmul === 'tfjs' ? '-' : gemmThreads,
    passages_per_s: Number(((batch * 1000) / ms).toFixed(3)),
  };
}

/**
 * Latency of one question of `seq` tokens, in process: the median (and p90, best) of `runs` ≥ 30
 * timed calls after `warmup` untimed ones; undefined when the native GEMM is asked for but absent.
 */
export async function benchQuestion(
  backend: BackendName,
  matmulChoice: MatMulChoice,
  seq: number,
  runs = 30,
  warmup = 5,
): Promise<BenchRow | undefined> {
  await setBackend(backend);
  const matmul = await chooseMatMul(matmulChoice);
  if (matmul === undefined) return undefined;
  const model = TFDPRQuestionEncoder.fromWeights(BERT_BASE, randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(BERT_BASE)));
  const ids = benchIds(1, seq);
  const run = async () => {
    const out = model.call({ input_ids: ids });
    await out.pooler_output.data();
    tf.dispose(out as unknown as tf.TensorContainer);
  };
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  model.dispose();
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1));
  return {
    workload: 'question',
    seq,
    backend,
    matmul,
    workers: 1,
    runs,
    median_ms: at(0.5),
    p90_ms: at(0.9),
    best_ms: Number(times[0]!.toFixed(1)),
  };
}
