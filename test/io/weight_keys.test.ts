import assert from 'node:assert/strict';
import { test } from 'node:test';
import { architectureOf, loadConfig, makeConfig } from '../../src/config.js';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { describeKeyProblems, isDroppedKey, normalizeKey, planKeys, type SourceTensor } from '../../src/io/weight_keys.js';
import type { WeightSpec } from '../../src/layers/weight_store.js';
import { inferArchitecture, MODEL_CLASSES } from '../../src/models/architectures.js';
import type { DPRArchitecture, DPRConfig } from '../../src/config.js';

/** What HF's model of this architecture holds, as the model class lists it. */
function expectedWeights(config: DPRConfig, architecture: DPRArchitecture): WeightSpec[] {
  return MODEL_CLASSES[architecture].weightSpecs(config);
}

/** A file holding exactly these float32 tensors. */
function fileOf(specs: WeightSpec[]): Map<string, SourceTensor> {
  return new Map(specs.map((w) => [w.name, { dtype: 'F32', shape: w.shape }]));
}
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
  const config = makeConfig({
    hidden_size: 8,
    num_attention_heads: 2,
    num_hidden_layers: 1,
    intermediate_size: 6,
    vocab_size: 10,
    max_position_embeddings: 5,
  });
  const shapes = fileOf(expectedWeights(config, 'DPRQuestionEncoder'));
  const ln = 'question_encoder.bert_model.embeddings.LayerNorm';
  shapes.delete(`${ln}.weight`);
  shapes.delete(`${ln}.bias`);
  shapes.set(`${ln}.gamma`, { dtype: 'F32', shape: [8] });
  shapes.set(`${ln}.beta`, { dtype: 'F16', shape: [8] });
  shapes.set('question_encoder.bert_model.embeddings.position_ids', { dtype: 'I64', shape: [1, 5] });
  shapes.set('question_encoder.bert_model.pooler.dense.weight', { dtype: 'F32', shape: [8, 8] });
  shapes.set('question_encoder.bert_model.pooler.dense.bias', { dtype: 'F32', shape: [8] });
  shapes.set('question_encoder.extra_head.weight', { dtype: 'F32', shape: [3] });
  const plan = planKeys(shapes, expectedWeights(config, 'DPRQuestionEncoder'));
  assert.deepEqual(describeKeyProblems(plan), []);
  assert.deepEqual(describeKeyProblems(plan, { unknownIsProblem: true }), ['unexpected (1): question_encoder.extra_head.weight']);
  assert.deepEqual(plan.renamed, [
    { from: `${ln}.gamma`, to: `${ln}.weight` },
    { from: `${ln}.beta`, to: `${ln}.bias` },
  ]);
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
  const config = makeConfig({
    hidden_size: 8,
    num_attention_heads: 2,
    num_hidden_layers: 2,
    intermediate_size: 6,
    vocab_size: 10,
    projection_dim: 4,
  });
  const shapes = fileOf(expectedWeights(config, 'DPRContextEncoder'));
  shapes.delete('ctx_encoder.encode_proj.bias');
  shapes.set('ctx_encoder.bert_model.encoder.layer.1.intermediate.dense.weight', { dtype: 'F32', shape: [7, 8] });
  shapes.set('ctx_encoder.bert_model.encoder.layer.0.output.LayerNorm.gamma', { dtype: 'F32', shape: [8] });
  shapes.set('ctx_encoder.bert_model.embeddings.LayerNorm.bias', { dtype: 'I64', shape: [8] });
  const plan = planKeys(shapes, expectedWeights(config, 'DPRContextEncoder'));
  assert.deepEqual(plan.missing, ['ctx_encoder.encode_proj.bias']);
  assert.deepEqual(
    plan.shapeMismatches.map((m) => [m.name, m.expected, m.found]),
    [['ctx_encoder.bert_model.encoder.layer.1.intermediate.dense.weight', [6, 8], [7, 8]]],
  );
  assert.deepEqual(
    plan.duplicates.map((d) => d.name),
    ['ctx_encoder.bert_model.encoder.layer.0.output.LayerNorm.weight'],
  );
  assert.deepEqual(plan.notFloat, [
    { name: 'ctx_encoder.bert_model.embeddings.LayerNorm.bias', source: 'ctx_encoder.bert_model.embeddings.LayerNorm.bias', dtype: 'I64' },
  ]);
  assert.deepEqual(describeKeyProblems(plan), [
    'missing (1): ctx_encoder.encode_proj.bias',
    'mis-shaped (1): ctx_encoder.bert_model.encoder.layer.1.intermediate.dense.weight: file has [7, 8], config needs [6, 8]',
    'not floating-point (1): ctx_encoder.bert_model.embeddings.LayerNorm.bias: dtype I64',
    'given twice (1): ctx_encoder.bert_model.encoder.layer.0.output.LayerNorm.weight from ctx_encoder.bert_model.encoder.layer.0.output.LayerNorm.weight and ctx_encoder.bert_model.encoder.layer.0.output.LayerNorm.gamma',
  ]);
  assert.deepEqual(describeKeyProblems({ ...plan, missing: ['a', 'b', 'c'] }, { limit: 2 })[0], 'missing (3): a, b, … and 1 more');
});

test('relative position embeddings need 2·max_position_embeddings − 1 rows of head size', () => {
  const config = makeConfig({
    hidden_size: 12,
    num_attention_heads: 3,
    num_hidden_layers: 1,
    max_position_embeddings: 7,
    position_embedding_type: 'relative_key_query',
  });
  const w = expectedWeights(config, 'DPRReader').find((x) => x.name.endsWith('distance_embedding.weight'));
  assert.deepEqual(w, {
    name: 'span_predictor.encoder.bert_model.encoder.layer.0.attention.self.distance_embedding.weight',
    shape: [13, 4],
  });
  assert.equal(
    expectedWeights(makeConfig({}), 'DPRReader').some((x) => x.name.includes('distance')),
    false,
  );
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
