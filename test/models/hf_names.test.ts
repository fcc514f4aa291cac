/**
 * Every public name of HuggingFace's DPR documentation, imported from the package entry and used
 * once with HF's meaning, so code ported from Python finds each of them: DPRConfig; the six
 * tokenizers; the three output types; DPRQuestionEncoder, DPRContextEncoder, DPRReader and their
 * TFDPR… twins (the same classes). Ends with a model and its tokenizer saved into one directory
 * (in either order) and loaded back, as `save_pretrained` users do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  DPRConfig,
  DPRContextEncoder,
  DPRContextEncoderTokenizer,
  DPRContextEncoderTokenizerFast,
  DPRQuestionEncoder,
  DPRQuestionEncoderTokenizer,
  DPRQuestionEncoderTokenizerFast,
  DPRReader,
  DPRReaderTokenizer,
  DPRReaderTokenizerFast,
  TFDPRContextEncoder,
  TFDPRQuestionEncoder,
  TFDPRReader,
  setBackend,
  type DPRContextEncoderOutput,
  type DPRQuestionEncoderOutput,
  type DPRReaderOutput,
} from '../../src/index.js';
import { referencePath } from '../helpers/reference.js';

const model = (name: string) => referencePath('models', name);

test('DPRConfig is a class with HF defaults', () => {
  const config = new DPRConfig({ projection_dim: 128 });
  assert.deepEqual([config.hidden_size, config.projection_dim, config.toJSON()['model_type']], [768, 128, 'dpr']);
});

test('the PyTorch names are the TFDPR… classes themselves', () => {
  assert.equal(DPRQuestionEncoder, TFDPRQuestionEncoder);
  assert.equal(DPRContextEncoder, TFDPRContextEncoder);
  assert.equal(DPRReader, TFDPRReader);
});

test('question and context encoders, slow and fast tokenizers, and their output types', async () => {
  await setBackend('cpu');
  const text = 'who wrote the origin of species? darwin 🐢 did';
  const cases = [
    {
      Model: DPRQuestionEncoder,
      Slow: DPRQuestionEncoderTokenizer,
      Fast: DPRQuestionEncoderTokenizerFast,
      dir: model('question_encoder'),
      dim: 32,
    },
    {
      Model: DPRContextEncoder,
      Slow: DPRContextEncoderTokenizer,
      Fast: DPRContextEncoderTokenizerFast,
      dir: model('context_encoder_proj'),
      dim: 16,
    },
  ];
  for (const { Model, Slow, Fast, dir, dim } of cases) {
    const slow = await Slow.fromPretrained(dir);
    const fast = await Fast.fromPretrained(dir);
    assert.equal(fast.is_fast, true);
    const encoding = fast.encode(text, null, { return_offsets_mapping: true });
    assert.deepEqual(encoding.input_ids, slow.encode(text).input_ids);
    // Offsets count UTF-16 code units, so they slice the JavaScript string (after the emoji too).
    const did = fast.convertIdsToTokens(encoding.input_ids).lastIndexOf('did');
    const [start, end] = encoding.offset_mapping![did]!;
    assert.equal(text.slice(start, end), 'did');

    const net = await Model.fromPretrained(dir);
    const output: DPRQuestionEncoderOutput | DPRContextEncoderOutput = net.call({ input_ids: [encoding.input_ids] });
    assert.deepEqual(output.pooler_output.shape, [1, dim]);
    tf.dispose(output as unknown as tf.TensorContainer);
    net.dispose();
  }
});

test('reader, reader tokenizers and DPRReaderOutput: spans decoded from the logits', async () => {
  await setBackend('cpu');
  const dir = model('reader');
  const reader = await DPRReader.fromPretrained(dir);
  for (const Tokenizer of [DPRReaderTokenizer, DPRReaderTokenizerFast]) {
    const tokenizer = await Tokenizer.fromPretrained(dir);
    const inputs = tokenizer.call('who wrote hamlet?', ['Hamlet', 'Macbeth'], ['hamlet was written by william shakespeare', 'a play'], {
      padding: true,
    });
    const output: DPRReaderOutput = reader.call(inputs);
    assert.deepEqual(output.relevance_logits.shape, [2]);
    const spans = tokenizer.decodeBestSpans(inputs, output, { num_spans: 2 });
    assert.equal(spans.length, 2);
    assert.ok(spans.every((s) => typeof s.text === 'string' && s.doc_id >= 0 && s.doc_id < 2));
    tf.dispose(output as unknown as tf.TensorContainer);
  }
  reader.dispose();
});

test('a model and its tokenizer saved into one directory, in either order, load back together', async () => {
  await setBackend('cpu');
  const tokenizer = await DPRQuestionEncoderTokenizerFast.fromPretrained(model('question_encoder'));
  const net = await DPRQuestionEncoder.fromPretrained(model('question_encoder'));
  for (const order of ['model first', 'tokenizer first']) {
    const dir = join(mkdtempSync(join(tmpdir(), 'dpr-names-')), 'saved');
    if (order === 'model first') {
      await net.savePretrained(dir);
      await tokenizer.savePretrained(dir);
    } else {
      await tokenizer.savePretrained(dir);
      await net.savePretrained(dir);
    }
    const files = readdirSync(dir).sort();
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) {
      assert.ok(files.includes(file), `${order}: ${file} is missing from ${files.join(', ')}`);
    }
    const [reloaded, reloadedTokenizer] = [
      await DPRQuestionEncoder.fromPretrained(dir),
      await DPRQuestionEncoderTokenizerFast.fromPretrained(dir),
    ];
    const ids = reloadedTokenizer.encode('who wrote hamlet?').input_ids;
    assert.deepEqual(ids, tokenizer.encode('who wrote hamlet?').input_ids);
    const [a, b] = [net.call({ input_ids: [ids] }), reloaded.call({ input_ids: [ids] })];
    assert.deepEqual(b.pooler_output.dataSync(), a.pooler_output.dataSync());
    tf.dispose([a, b] as unknown as tf.TensorContainer);
    reloaded.dispose();
  }
  net.dispose();
});
