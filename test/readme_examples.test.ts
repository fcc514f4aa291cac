/**
 * The README's library examples, run as written but on the local reference models (hub ids
 * replaced by directories), so the front door stays true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  DPRQuestionEncoderTokenizer,
  DPRReaderTokenizer,
  EncoderPool,
  TFDPRQuestionEncoder,
  TFDPRReader,
  setBackend,
} from '../src/index.js';
import { referencePath } from './helpers/reference.js';

test('README: encode questions with hidden states and attentions', async () => {
  await setBackend('wasm');
  const dir = referencePath('models', 'question_encoder');
  const tokenizer = await DPRQuestionEncoderTokenizer.fromPretrained(dir);
  const encoder = await TFDPRQuestionEncoder.fromPretrained(dir);
  const before = tf.memory().numTensors;
  const batch = tokenizer.encodeBatch(['who wrote hamlet?', 'capital of france'], undefined, { padding: true, truncation: true });
  const out = encoder.call(batch, { output_hidden_states: true, output_attentions: true });
  const seq = batch.input_ids[0]!.length;
  assert.deepEqual(out.pooler_output.shape, [2, 32]);
  assert.equal(out.hidden_states!.length, 3);
  assert.deepEqual(out.hidden_states![0]!.shape, [2, seq, 32]);
  assert.deepEqual(out.attentions![1]!.shape, [2, 4, seq, seq]);
  tf.dispose(out);
  assert.equal(tf.memory().numTensors, before);
  encoder.dispose();

  const pool = await EncoderPool.create({ kind: 'question', source: { dir }, workers: 2 });
  const vectors = await pool.encode(batch);
  await pool.close();
  assert.equal(vectors.length, 2 * 32);
});

test('README: read answer spans', async () => {
  await setBackend('wasm');
  const dir = referencePath('models', 'reader');
  const reader = await TFDPRReader.fromPretrained(dir);
  const readerTokenizer = await DPRReaderTokenizer.fromPretrained(dir);
  const inputs = readerTokenizer.call('what is love?', ['Haddaway'], ["'What Is Love' is a song recorded by Haddaway"], { padding: true });
  const logits = reader.call(inputs);
  const spans = readerTokenizer.decodeBestSpans(inputs, logits, { num_spans: 3, max_answer_length: 10 });
  assert.equal(spans.length, 3);
  for (const span of spans) {
    assert.deepEqual(Object.keys(span), ['span_score', 'relevance_score', 'doc_id', 'start_index', 'end_index', 'text']);
    assert.ok(span.end_index >= span.start_index && span.end_index - span.start_index < 10);
  }
  tf.dispose(logits);
  reader.dispose();
});
