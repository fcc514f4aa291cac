/**
 * The reader's heads follow HF's DPRSpanPredictor: qa_outputs / qa_classifier are sized by the
 * encoder's embeddings_size (projection_dim when > 0) but read hidden states, so a reader runs with
 * projection_dim 0 or equal to hidden_size, and any other projection is refused before weights are read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, TFDPRReader, WeightLoadError, setBackend } from '../../src/index.js';
import { WeightStore } from '../../src/layers/weight_store.js';
import { randomWeightArrays } from '../../src/models/random_weights.js';
import { tinyConfig } from '../helpers/tiny_model.js';

const shapeOf = (specs: Array<{ name: string; shape: number[] }>, name: string) => specs.find((s) => s.name === name)?.shape;

test('reader weight specs are HF state dict shapes: heads of width embeddings_size, encode_proj when projected', () => {
  const plain = TFDPRReader.weightSpecs(tinyConfig());
  assert.deepEqual(shapeOf(plain, 'span_predictor.qa_outputs.weight'), [2, 12]);
  assert.equal(shapeOf(plain, 'span_predictor.encoder.encode_proj.weight'), undefined);
  const projected = TFDPRReader.weightSpecs(tinyConfig({ projection_dim: 4 }));
  assert.deepEqual(shapeOf(projected, 'span_predictor.qa_outputs.weight'), [2, 4]);
  assert.deepEqual(shapeOf(projected, 'span_predictor.qa_classifier.weight'), [1, 4]);
  assert.deepEqual(shapeOf(projected, 'span_predictor.encoder.encode_proj.weight'), [4, 12]);
});

test('a reader with projection_dim = hidden_size runs, its heads reading hidden states (encode_proj unused, as in HF)', async () => {
  await setBackend('cpu');
  const config = tinyConfig({ projection_dim: 12 });
  const weights = randomWeightArrays(TFDPRReader.weightSpecs(config), 5);
  const projected = TFDPRReader.fromWeights(config, weights);
  const withoutProj = new Map([...weights].filter(([name]) => !name.includes('encode_proj')));
  const plain = TFDPRReader.fromWeights(tinyConfig(), withoutProj);
  const input_ids = [
    [1, 2, 3, 4, 0],
    [5, 6, 7, 8, 9],
  ];
  const a = projected.call({ input_ids }, { output_hidden_states: true });
  const b = plain.call({ input_ids });
  for (const field of ['start_logits', 'end_logits', 'relevance_logits'] as const) {
    assert.deepEqual(Array.from(a[field].dataSync()), Array.from(b[field].dataSync()), field);
  }
  // relevance = qa_classifier([CLS] hidden state), computed here by hand for passage 1.
  const last = a.hidden_states![a.hidden_states!.length - 1]!.arraySync()[1]![0]!;
  const w = weights.get('span_predictor.qa_classifier.weight')!;
  const bias = weights.get('span_predictor.qa_classifier.bias')![0]!;
  const expected = last.reduce((sum, x, i) => sum + x * w[i]!, bias);
  assert.ok(Math.abs(a.relevance_logits.dataSync()[1]! - expected) < 1e-4, `${a.relevance_logits.dataSync()[1]} vs ${expected}`);
  tf.dispose([a, b] as unknown as tf.TensorContainer);
  projected.dispose();
  plain.dispose();
});

test('a reader with another projection is a ConfigError, before any weight file is read', async () => {
  await setBackend('cpu');
  const config = tinyConfig({ projection_dim: 4 });
  assert.throws(
    () => TFDPRReader.fromWeights(config, randomWeightArrays(TFDPRReader.weightSpecs(config))),
    (e: unknown) => e instanceof ConfigError && /projection_dim 0 or equal to hidden_size \(12\), got 4/.test(e.message),
  );
  const dir = mkdtempSync(join(tmpdir(), 'dpr-reader-proj-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, architectures: ['DPRReader'] }));
  await assert.rejects(TFDPRReader.fromPretrained(dir), (e: unknown) => e instanceof ConfigError && /got 4/.test(e.message));
});

test('WeightStore.take refuses a tensor of another shape than the layer needs', async () => {
  await setBackend('cpu');
  const store = WeightStore.fromArrays([{ name: 'x.weight', shape: [2, 3] }], new Map([['x.weight', new Float32Array(6)]]));
  assert.throws(
    () => store.take({ name: 'x.weight', shape: [3, 2] }),
    (e: unknown) => e instanceof WeightLoadError && /"x\.weight" has shape \[2, 3\]; the layer needs \[3, 2\]/.test(e.message),
  );
  assert.deepEqual(store.untaken(), ['x.weight']);
  store.take({ name: 'x.weight', shape: [2, 3] });
  assert.deepEqual(store.untaken(), []);
  store.dispose();
});
