import assert from 'node:assert/strict';
import { test } from 'node:test';
import { architectureOf, loadConfig, makeConfig } from '../../src/config.js';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { describeKeyProblems, expectedWeights, inferArchitecture, isDroppedKey, normalizeKey, planKeys } from '../../src/io/weight_keys.js';
import { referencePath } from '../helpers/reference.js';

const MODELS = ['question_encoder', 'context_encoder_proj', 'reader', 'question_encoder_relpos', 'context_encoder_relkey'];

for (const model of MODELS) {
  test(`${model}: the weights the config implies are exactly HF's state dict minus position_ids`, () => {
    const config = loadConfig(referencePath('models', model));
    const st = SafetensorsFile.open(referencePath('models', model, 'model.safetensors'));
    const actual = new Map(st.names.filter((n) => !n.endsWith('position_ids')).map((n) => [n, st.info(n).shape]));
    st.close();
    const expected = expectedWeights(config, architectureOf(config)!);
    assert.deepEqual(new Map(expected.map((w) => [w.name, w.shape])), actual);
  });
}

test('planKeys drops position_ids and pooler, renames gamma/beta, reports unknown keys', () => {
  const config = makeConfig({ hidden_size: 8, num_attention_heads: 2, num_hidden_layers: 1, intermediate_size: 6, vocab_size: 10, max_position_embeddings: 5 });
  const shapes = new Map(expectedWeights(config, 'DPRQuestionEncoder').map((w) => [w.name, w.shape]));
  const ln = 'question_encoder.bert_model.embeddings.LayerNorm';
  shapes.delete(`${ln}.weight`);
  shapes.delete(`${ln}.bias`);
  shapes.set(`${ln}.gamma`, [8]);
  shapes.set(`${ln}.beta`, [8]);
  shapes.set('question_encoder.bert_model.embeddings.position_ids', [1, 5]);
  shapes.set('question_encoder.bert_model.pooler.dense.weight', [8, 8]);
  shapes.set('question_encoder.bert_model.pooler.dense.bias', [8]);
  shapes.set('question_encoder.extra_head.weight', [3]);
  const plan = planKeys(shapes, config, 'DPRQuestionEncoder');
  assert.equal(describeKeyProblems(plan), '');
  assert.deepEqual(plan.renamed, [{ from: `${ln}.gamma`, to: `${ln}.weight` }, { from: `${ln}.beta`, to: `${ln}.bias` }]);
  assert.deepEqual(plan.dropped.sort(), [
    'question_encoder.bert_model.embeddings.position_ids',
    'question_encoder.bert_model.pooler.dense.bias',
    'question_encoder.bert_model.pooler.dense.weight',
  ]);
  assert.deepEqual(plan.unknown, ['question_encoder.extra_head.weight']);
  assert.equal(plan.sources.size, expectedWeights(config, 'DPRQuestionEncoder').length);
  assert.equal(plan.sources.get(`${ln}.weight`), `${ln}.gamma`);
});

test('planKeys lists every missing weight, shape mismatch and duplicate by name', () => {
  const config = makeConfig({ hidden_size: 8, num_attention_heads: 2, num_hidden_layers: 2, intermediate_size: 6, vocab_size: 10, projection_dim: 4 });
  const shapes = new Map(expectedWeights(config, 'DPRContextEncoder').map((w) => [w.name, w.shape]));
  shapes.delete('ctx_encoder.encode_proj.bias');
  shapes.set('ctx_encoder.bert_model.encoder.layer.1.intermediate.dense.weight', [7, 8]);
  shapes.set('ctx_encoder.bert_model.encoder.layer.0.output.LayerNorm.gamma', [8]);
  const plan = planKeys(shapes, config, 'DPRContextEncoder');
  assert.deepEqual(plan.missing, ['ctx_encoder.encode_proj.bias']);
  assert.deepEqual(plan.shapeMismatches.map((m) => [m.name, m.expected, m.found]), [
    ['ctx_encoder.bert_model.encoder.layer.1.intermediate.dense.weight', [6, 8], [7, 8]],
  ]);
  assert.deepEqual(plan.duplicates.map((d) => d.name), ['ctx_encoder.bert_model.encoder.layer.0.output.LayerNorm.weight']);
  const message = describeKeyProblems(plan);
  assert.match(message, /missing weights \(1\): ctx_encoder\.encode_proj\.bias/);
  assert.match(message, /layer\.1\.intermediate\.dense\.weight: expected \[6, 8\], found \[7, 8\]/);
  assert.match(message, /weights given twice \(1\): .*LayerNorm\.weight from .*LayerNorm\.weight and .*LayerNorm\.gamma/);
});

test('relative position embeddings need 2·max_position_embeddings − 1 rows of head size', () => {
  const config = makeConfig({ hidden_size: 12, num_attention_heads: 3, num_hidden_layers: 1, max_position_embeddings: 7, position_embedding_type: 'relative_key_query' });
  const w = expectedWeights(config, 'DPRReader').find((x) => x.name.endsWith('distance_embedding.weight'));
  assert.deepEqual(w, { name: 'span_predictor.encoder.bert_model.encoder.layer.0.attention.self.distance_embedding.weight', shape: [13, 4] });
  assert.equal(expectedWeights(makeConfig({}), 'DPRReader').some((x) => x.name.includes('distance')), false);
});

test('key helpers: drops, renames, architecture inference', () => {
  assert.equal(isDroppedKey('ctx_encoder.bert_model.embeddings.position_ids'), true);
  assert.equal(isDroppedKey('ctx_encoder.bert_model.pooler.dense.weight'), true);
  assert.equal(isDroppedKey('ctx_encoder.bert_model.embeddings.position_embeddings.weight'), false);
  assert.equal(normalizeKey('a.LayerNorm.gamma'), 'a.LayerNorm.weight');
  assert.equal(normalizeKey('a.LayerNorm.beta'), 'a.LayerNorm.bias');
  assert.equal(normalizeKey('a.beta_proj.weight'), 'a.beta_proj.weight');
  assert.equal(inferArchitecture(['span_predictor.qa_outputs.weight', 'span_predictor.encoder.x']), 'DPRReader');
  assert.equal(inferArchitecture(['ctx_encoder.a']), 'DPRContextEncoder');
  assert.equal(inferArchitecture(['ctx_encoder.a', 'question_encoder.b']), undefined);
  assert.equal(inferArchitecture(['bert.embeddings']), undefined);
});
