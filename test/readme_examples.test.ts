/**
 * The README's library examples, run as written but on the local reference models (hub ids
 * replaced by directories), so the front door stays true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { DPREmbeddings, innerProduct } from '../src/langchain/index.js';
import { CONTEXT_MODEL, pairedQuestionEncoder } from './cli/fixtures.js';
import {
  DPRConfig,
  DPRContextEncoder,
  DPRContextEncoderTokenizerFast,
  type DPRContextEncoderOutput,
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

test('README: porting from Python — config, fast tokenizer (single, pair batch, offsets), encoding, saving', async () => {
  await setBackend('cpu');
  const name = referencePath('models', 'context_encoder_proj');
  const config = await DPRConfig.fromPretrained(name);
  assert.equal(config.hidden_size, 32);
  const tokenizer = await DPRContextEncoderTokenizerFast.fromPretrained(name);
  const model = await DPRContextEncoder.fromPretrained(name);

  const text = 'Hamlet is a tragedy written by William Shakespeare.';
  const single = tokenizer.encode('Hamlet', text, { truncation: true, return_offsets_mapping: true });
  const [start, end] = single.offset_mapping![6]!;
  assert.equal(text.slice(start, end), 'tragedy');
  const batch = tokenizer.encodeBatch(['Hamlet', 'Macbeth'], [text, 'Macbeth is a tragedy.'], { padding: true, truncation: true });
  const out: DPRContextEncoderOutput = model.call(batch);
  const vectors = await out.pooler_output.array();
  assert.deepEqual([vectors.length, vectors[0]!.length], [2, 16]);
  tf.dispose(out);

  const dir = join(mkdtempSync(join(tmpdir(), 'dpr-readme-')), 'my-ctx-encoder');
  await model.savePretrained(dir);
  await tokenizer.savePretrained(dir);
  const again = await DPRContextEncoder.fromPretrained(dir);
  const out2 = again.call(batch);
  assert.deepEqual(await out2.pooler_output.array(), vectors);
  tf.dispose(out2);
  again.dispose();
  model.dispose();
});

test('README: LangChain.js — MemoryVectorStore with DPREmbeddings and the inner product', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpr-readme-lc-'));
  const embeddings = new DPREmbeddings({
    questionEncoder: pairedQuestionEncoder(dir),
    contextEncoder: CONTEXT_MODEL(),
    splitDocument: (doc) => ({ title: doc.slice(0, doc.indexOf('\n')), text: doc.slice(doc.indexOf('\n') + 1) }),
  });
  const store = await MemoryVectorStore.fromTexts(
    ['Hamlet\nHamlet is a tragedy by William Shakespeare.', 'Paris\nParis is the capital of France.'],
    [{ id: 'hamlet' }, { id: 'paris' }],
    embeddings,
    { similarity: innerProduct },
  );
  const hits = await store.similaritySearchWithScore('who wrote hamlet?', 1);
  assert.equal(hits.length, 1);
  const [best, score] = hits[0]!;
  // The reference models are random, so which passage wins is theirs to say; the score is DPR's inner product.
  const q = await embeddings.embedQuery('who wrote hamlet?');
  const [d] = await embeddings.embedDocuments([
    best.metadata['id'] === 'hamlet' ? 'Hamlet\nHamlet is a tragedy by William Shakespeare.' : 'Paris\nParis is the capital of France.',
  ]);
  assert.ok(Math.abs(score - innerProduct(q, d!)) < 1e-9);
  await embeddings.dispose();
});
