/**
 * The worker pool gives the same vectors as the in-process model, in input order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, InputError, TFDPRContextEncoder, TFDPRQuestionEncoder, setBackend } from '../../src/index.js';
import { EncoderPool } from '../../src/pool/encoder_pool.js';
import { randomWeightArrays } from '../../src/models/random_weights.js';
import { expectAllClose } from '../helpers/all_close.js';
import { referencePath } from '../helpers/reference.js';
import { tinyConfig } from '../helpers/tiny_model.js';

function sampleIds(batch: number, seq: number, vocab: number): number[][] {
  return Array.from({ length: batch }, (_, b) =>
    Array.from({ length: seq }, (_, t) => (t >= seq - (b % 3) ? 0 : 1 + ((b * 31 + t * 17) % (vocab - 1)))),
  );
}

test('pool vectors equal the in-process model, in input order (reference context encoder, 2 workers)', async () => {
  await setBackend('wasm');
  const dir = referencePath('models', 'context_encoder_proj');
  const model = await TFDPRContextEncoder.fromPretrained(dir);
  const pool = await EncoderPool.create({ kind: 'context', source: { dir }, workers: 2, backend: 'wasm' });
  try {
    assert.equal(pool.size, 2);
    assert.equal(pool.dim, 16);
    const input_ids = sampleIds(7, 12, 30522);
    const token_type_ids = input_ids.map((row) => row.map((_, t) => (t > 6 ? 1 : 0)));
    const [a, b] = await Promise.all([
      pool.encode({ input_ids, token_type_ids }),
      pool.encode({ input_ids: input_ids.slice(0, 1), token_type_ids: token_type_ids.slice(0, 1) }),
    ]);
    const expected = model.call({ input_ids, token_type_ids });
    const report = expectAllClose(a, expected.pooler_output.dataSync(), { atol: 1e-5, label: 'pool vs model', shape: [7, 16] });
    expectAllClose(b, expected.pooler_output.dataSync().slice(0, 16), { atol: 1e-5, label: 'single row' });
    assert.ok(report.maxAbsDiff <= 1e-5);
    tf.dispose(expected as unknown as tf.TensorContainer);
    await assert.rejects(pool.encode({ input_ids: [[1, 2], [3]] }), (e: unknown) => e instanceof InputError && /ragged/.test(e.message));
  } finally {
    model.dispose();
    await pool.close();
  }
  await assert.rejects(pool.encode({ input_ids: [[1]] }), /closed/);
});

test('pool from shared random weights matches the model; bad sources fail at create', async () => {
  await setBackend('wasm');
  const config = tinyConfig();
  const weights = randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(config), 3);
  const model = TFDPRQuestionEncoder.fromWeights(config, weights);
  const pool = await EncoderPool.create({ kind: 'question', source: { config, weights }, workers: 2 });
  try {
    const input_ids = sampleIds(5, 9, config.vocab_size);
    const vectors = await pool.encode({ input_ids });
    const expected = model.call({ input_ids });
    expectAllClose(vectors, expected.pooler_output.dataSync(), { atol: 1e-5, label: 'shared weights' });
    expected.pooler_output.dispose();
  } finally {
    model.dispose();
    await pool.close();
  }
  await assert.rejects(
    EncoderPool.create({ kind: 'question', source: { dir: referencePath('models', 'question_encoder') }, workers: 0 }),
    (e: unknown) => e instanceof InputError && /workers must be a positive integer/.test(e.message),
  );
  await assert.rejects(
    EncoderPool.create({ kind: 'context', source: { dir: referencePath('models', 'question_encoder') }, workers: 1 }),
    (e: unknown) => e instanceof ConfigError && /saved from DPRQuestionEncoder, not DPRContextEncoder/.test(e.message),
  );
});

test('a pool loads a hub id (served on 127.0.0.1) through the HF cache', async () => {
  const { startHubServer } = await import('../helpers/hub_server.js');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  await setBackend('wasm');
  const server = await startHubServer();
  const cacheDir = mkdtempSync(join(tmpdir(), 'dpr-pool-hub-'));
  try {
    const pool = await EncoderPool.create({
      kind: 'question',
      source: { dir: 'test-org/question_encoder' },
      workers: 2,
      pretrained: { endpoint: server.url, cacheDir, token: false },
    });
    const model = await TFDPRQuestionEncoder.fromPretrained(referencePath('models', 'question_encoder'));
    try {
      const input_ids = sampleIds(3, 8, 30522);
      const expected = model.call({ input_ids });
      expectAllClose(await pool.encode({ input_ids }), expected.pooler_output.dataSync(), { atol: 1e-5, label: 'pool from hub' });
      expected.pooler_output.dispose();
    } finally {
      model.dispose();
      await pool.close();
    }
    assert.ok(server.requests.length > 0);
  } finally {
    await server.close();
  }
});

/** A pool whose workers carry a test-only fault (see encoder_worker.ts), from shared random weights. */
async function faultyPool(fault: string, options: { workers?: number; maxRowsPerCall?: number } = {}) {
  const config = tinyConfig();
  const weights = randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(config), 3);
  const model = TFDPRQuestionEncoder.fromWeights(config, weights);
  process.env['TFJS_DPR_TEST_WORKER_FAULT'] = fault;
  try {
    const pool = await EncoderPool.create({
      kind: 'question',
      source: { config, weights },
      workers: options.workers ?? 2,
      ...(options.maxRowsPerCall ? { maxRowsPerCall: options.maxRowsPerCall } : {}),
    });
    return { pool, model, config };
  } finally {
    delete process.env['TFJS_DPR_TEST_WORKER_FAULT'];
  }
}

function expected(model: TFDPRQuestionEncoder, input_ids: number[][]): Float32Array {
  const out = model.call({ input_ids });
  const values = out.pooler_output.dataSync() as Float32Array;
  tf.dispose(out as unknown as tf.TensorContainer);
  return values;
}

test('a worker that dies mid-call is replaced and its rows retried: the call and later calls succeed', { timeout: 60_000 }, async () => {
  await setBackend('wasm');
  const { mkdtempSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const marker = join(mkdtempSync(join(tmpdir(), 'dpr-pool-fault-')), 'died');
  const { pool, model, config } = await faultyPool(`exit-once:${marker}`);
  try {
    const input_ids = sampleIds(6, 9, config.vocab_size);
    expectAllClose(await pool.encode({ input_ids }), expected(model, input_ids), { atol: 1e-5, label: 'after a worker died' });
    assert.ok(existsSync(marker), 'a worker exited during the call');
    for (let i = 0; i < 3; i++) {
      expectAllClose(await pool.encode({ input_ids: input_ids.slice(i) }), expected(model, input_ids.slice(i)), {
        atol: 1e-5,
        label: `later call ${i}`,
      });
    }
    assert.equal(pool.size, 2);
  } finally {
    model.dispose();
    await pool.close();
  }
});

test(
  'a wasm out-of-memory failure replaces the worker and retries in halves; twice rejects clearly; later calls work',
  { timeout: 60_000 },
  async () => {
    await setBackend('wasm');
    // Jobs of 8 rows; a worker given more than 4 rows fails as a wasm OOM and stays broken.
    const { pool, model, config } = await faultyPool('oom-above-rows:4', { workers: 1, maxRowsPerCall: 8 });
    try {
      const eight = sampleIds(8, 7, config.vocab_size);
      expectAllClose(await pool.encode({ input_ids: eight }), expected(model, eight), { atol: 1e-5, label: 'retried in halves' });
      const two = sampleIds(2, 7, config.vocab_size);
      expectAllClose(await pool.encode({ input_ids: two }), expected(model, two), { atol: 1e-5, label: 'the replacement works' });
    } finally {
      model.dispose();
      await pool.close();
    }
    const strict = await faultyPool('oom-above-rows:1', { workers: 1, maxRowsPerCall: 8 });
    try {
      await assert.rejects(strict.pool.encode({ input_ids: sampleIds(8, 7, strict.config.vocab_size) }), (e: unknown) => {
        assert.match(
          (e as Error).message,
          /^encoding 4 row\(s\) of 7 tokens ran out of wasm memory twice \(memory access out of bounds.*\); lower `maxRowsPerCall` or the batch size/,
        );
        return true;
      });
      const one = sampleIds(1, 7, strict.config.vocab_size);
      expectAllClose(await strict.pool.encode({ input_ids: one }), expected(strict.model, one), {
        atol: 1e-5,
        label: 'a later call after giving up',
      });
    } finally {
      strict.model.dispose();
      await strict.pool.close();
    }
  },
);

test('calls are split so one worker call fits the wasm heap: 1024 × 512 ids of a base model go out in jobs of a few rows', async () => {
  const { maxRowsPerCall, activationBytesPerRow, ACTIVATION_BUDGET_BYTES } = await import('../../src/pool/memory_bound.js');
  const base = { num_attention_heads: 12, hidden_size: 768, intermediate_size: 3072 };
  const rows = maxRowsPerCall(base, 512);
  assert.ok(rows >= 1 && rows <= 16, `rows per call at 512 tokens: ${rows}`);
  assert.ok(rows * activationBytesPerRow(base, 512) <= ACTIVATION_BUDGET_BYTES);
  // The default batch of 32 short passages is not split.
  assert.ok(maxRowsPerCall(base, 128) >= 32);
  // A worker asked for more rows than the bound fails (injected OOM); the pool never asks.
  await setBackend('wasm');
  const { pool, model, config } = await faultyPool('oom-above-rows:3', { workers: 2, maxRowsPerCall: 3 });
  try {
    const many = sampleIds(20, 5, config.vocab_size);
    expectAllClose(await pool.encode({ input_ids: many }), expected(model, many), { atol: 1e-5, label: 'split into jobs of 3' });
  } finally {
    model.dispose();
    await pool.close();
  }
});

test('close() fails a call in flight instead of leaving it pending', { timeout: 30_000 }, async () => {
  await setBackend('wasm');
  const { pool, model, config } = await faultyPool('none', { workers: 1 });
  model.dispose();
  const call = assert.rejects(
    pool.encode({ input_ids: sampleIds(4, 9, config.vocab_size) }),
    /the EncoderPool was closed while this call was running/,
  );
  await pool.close();
  await call;
});
