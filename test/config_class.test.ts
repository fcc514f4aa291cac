/**
 * DPRConfig as HF's class: defaults, validation, fromPretrained, toJSON and savePretrained writing
 * config.json byte for byte as HF's save_pretrained wrote the reference files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DPRConfig, makeConfig } from '../src/index.js';
import { pythonFloatRepr, pythonJsonText } from '../src/io/python_json.js';
import { referencePath } from './helpers/reference.js';

test('new DPRConfig() holds HF DPRConfig defaults; given keys override them', () => {
  const c = new DPRConfig({ hidden_size: 64, num_attention_heads: 4 });
  assert.ok(c instanceof DPRConfig);
  assert.deepEqual(
    [
      c.vocab_size,
      c.hidden_size,
      c.num_hidden_layers,
      c.num_attention_heads,
      c.intermediate_size,
      c.hidden_act,
      c.hidden_dropout_prob,
      c.attention_probs_dropout_prob,
      c.max_position_embeddings,
      c.type_vocab_size,
      c.initializer_range,
      c.layer_norm_eps,
      c.pad_token_id,
      c.position_embedding_type,
      c.projection_dim,
      c.model_type,
    ],
    [30522, 64, 12, 4, 3072, 'gelu', 0.1, 0.1, 512, 2, 0.02, 1e-12, 0, 'absolute', 0, 'dpr'],
  );
  assert.throws(
    () => new DPRConfig({ hidden_size: 30, num_attention_heads: 4 }),
    (e: unknown) => e instanceof ConfigError && /not a multiple/.test(e.message),
  );
  assert.ok(makeConfig({}) instanceof DPRConfig);
});

test('fromPretrained, savePretrained: every reference config.json comes back byte for byte', async () => {
  for (const model of readdirSync(referencePath('models'))) {
    const dir = referencePath('models', model);
    const config = await DPRConfig.fromPretrained(dir);
    const out = join(mkdtempSync(join(tmpdir(), 'dpr-config-save-')), 'nested');
    await config.savePretrained(out);
    assert.equal(readFileSync(join(out, 'config.json'), 'utf8'), readFileSync(join(dir, 'config.json'), 'utf8'), model);
    assert.deepEqual(readdirSync(out), ['config.json']);
  }
});

test('toJSON keeps keys tfjs-dpr does not use, and a copy keeps them too; spreading gives only the fields', () => {
  const c = new DPRConfig({ projection_dim: 8, torch_dtype: 'float32', id2label: { 0: 'LABEL_0' } });
  const json = c.toJSON();
  assert.equal(json['torch_dtype'], 'float32');
  assert.deepEqual(json['id2label'], { 0: 'LABEL_0' });
  assert.equal(json['projection_dim'], 8);
  assert.equal(JSON.parse(JSON.stringify(c))['torch_dtype'], 'float32');
  assert.equal(new DPRConfig(c).toJSON()['torch_dtype'], 'float32');
  assert.equal('torch_dtype' in { ...c }, false);
  assert.equal(structuredClone({ ...c }).projection_dim, 8);
});

test('Python json.dumps form: sorted keys, floats as Python writes them, non-ASCII escaped', () => {
  assert.deepEqual([1e-12, 1e-5, 0.1, 1, 123.45, 1e16, 1.5e-7, 0.0001, -2.5, 1e22].map(pythonFloatRepr), [
    '1e-12',
    '1e-05',
    '0.1',
    '1.0',
    '123.45',
    '1e+16',
    '1.5e-07',
    '0.0001',
    '-2.5',
    '1e+22',
  ]);
  assert.equal(
    pythonJsonText({ b: [1, 2.5], a: 'é"', c: {}, d: [], e: 1 }, new Set(['e'])),
    '{\n  "a": "\\u00e9\\"",\n  "b": [\n    1,\n    2.5\n  ],\n  "c": {},\n  "d": [],\n  "e": 1.0\n}\n',
  );
});
