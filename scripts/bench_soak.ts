/**
 * Soak: the worker pool and the in-process encoder run alternately for `minutes` (default 10),
 * on the reference context encoder, with batches of varying size and length. Tensors
 * (tf.memory().numTensors on this thread) and the process RSS are sampled after a warm-up and at
 * the end; a leak shows as growth. Flat means within 10%.
 *
 *   npm run bench -- --only soak                 10 minutes
 *   npm run bench -- --only soak --minutes 1     a short run
 */
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '../src/backend.js';
import { TFDPRContextEncoder } from '../src/models/context_encoder.js';
import { EncoderPool } from '../src/pool/encoder_pool.js';
import { InProcessEmbedder, padRows, type EncodedRow } from '../src/retrieval/embedder.js';
import { referencePath } from '../test/helpers/reference.js';
import type { BenchRow } from './bench_model.js';

function rows(batch: number, seq: number, salt: number): EncodedRow[] {
  return Array.from({ length: batch }, (_, b) => {
    const length = Math.max(2, seq - ((b + salt) % 7));
    return {
      input_ids: Array.from({ length }, (_, t) => 1 + ((b * 131 + t * 17 + salt) % 30000)),
      token_type_ids: new Array<number>(length).fill(0),
      attention_mask: new Array<number>(length).fill(1),
    };
  });
}

function sample(): { tensors: number; rssMB: number } {
  return { tensors: tf.memory().numTensors, rssMB: Math.round(process.memoryUsage().rss / 1e5) / 10 };
}

export async function benchSoak(minutes: number, workers: number): Promise<BenchRow[]> {
  await setBackend('wasm');
  const dir = referencePath('models', 'context_encoder_proj');
  const pool = await EncoderPool.create({ kind: 'context', source: { dir }, workers });
  const inProcess = new InProcessEmbedder(await TFDPRContextEncoder.fromPretrained(dir));
  let calls = 0;
  let texts = 0;
  const round = async (): Promise<void> => {
    const batch = 1 + (calls % 32);
    const seq = 8 + ((calls * 37) % 120);
    const r = rows(batch, seq, calls);
    await inProcess.embed(r);
    await pool.encode(padRows(r, 0));
    calls++;
    texts += 2 * batch;
  };
  try {
    for (let i = 0; i < 50; i++) await round(); // warm-up: allocator pools and kernels settle
    const start = sample();
    const started = performance.now();
    const deadline = started + minutes * 60_000;
    while (performance.now() < deadline) await round();
    const end = sample();
    const seconds = (performance.now() - started) / 1000;
    return [
      {
        workload: 'soak',
        minutes: Math.round((seconds / 60) * 100) / 100,
        workers,
        calls,
        texts,
        tensors_start: start.tensors,
        tensors_end: end.tensors,
        rss_start_mb: start.rssMB,
        rss_end_mb: end.rssMB,
        rss_growth: `${(((end.rssMB - start.rssMB) / start.rssMB) * 100).toFixed(1)}%`,
      },
    ];
  } finally {
    await inProcess.dispose();
    await pool.close();
  }
}
