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
    const [a, b] = await Promise.all([pool.encode({ input_ids, token_type_ids }), pool.encode({ input_ids: input_ids.slice(0, 1), token_type_ids: token_type_ids.slice(0, 1) })]);
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
