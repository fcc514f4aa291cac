/**
 * Gradients through every layer of the encoders, checked against central differences: relative_key
 * and relative_key_query positions, absolute positions, gelu / gelu_new / relu / silu, encode_proj,
 * on cpu and wasm. And training mode itself: dropout only when training, seeded, at the configured
 * rates; inference output unchanged by a trainable build.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '../../src/backend.js';
import { TFDPRContextEncoder } from '../../src/models/context_encoder.js';
import { randomWeightArrays } from '../../src/models/random_weights.js';
import { registerTrainingGradients } from '../../src/training/gradients.js';
import { seededTrainingPass } from '../../src/training/dropout.js';
import { tinyConfig } from '../helpers/tiny_model.js';
import { expectAllClose } from '../helpers/all_close.js';
import type { DPRConfig } from '../../src/config.js';

registerTrainingGradients();

const INPUTS = {
  input_ids: [
    [2, 7, 9, 4, 3, 0],
    [2, 11, 5, 3, 0, 0],
  ],
  token_type_ids: [
    [0, 0, 0, 1, 1, 0],
    [0, 0, 1, 1, 0, 0],
  ],
  attention_mask: [
    [1, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 0, 0],
  ],
};

function build(overrides: Partial<DPRConfig>, trainable: boolean): TFDPRContextEncoder {
  const config = tinyConfig(overrides);
  return TFDPRContextEncoder.fromWeights(config, randomWeightArrays(TFDPRContextEncoder.weightSpecs(config), 5, 0.5), { trainable });
}

/** For every parameter: its two largest-gradient elements against (f(p + h) − f(p − h)) / 2h. */
async function checkModel(label: string, overrides: Partial<DPRConfig>): Promise<void> {
  const model = build({ hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, ...overrides }, true);
  const params = model.trainableParameters();
  const weights = tf.tensor2d(
    Array.from({ length: 2 * model.embeddingsSize }, (_, i) => Math.sin(i + 1)),
    [2, model.embeddingsSize],
  );
  const objective = () => tf.sum(tf.mul(model.forwardPooled(INPUTS, seededTrainingPass(0)), weights)) as tf.Scalar;
  const { grads } = tf.variableGrads(objective, [...params.values()]);
  const byVar = new Map([...params].map(([name, v]) => [v.name, name]));
  assert.equal(
    Object.keys(grads).length,
    params.size - (overrides.position_embedding_type === 'absolute' || overrides.position_embedding_type === undefined ? 0 : 1),
    `${label}: a gradient for every parameter (the position table is unused with relative positions, as in HF)`,
  );
  const h = 1e-3; // small enough not to cross relu kinks, large enough for float32 round-off
  for (const [varName, grad] of Object.entries(grads)) {
    const name = byVar.get(varName)!;
    const v = params.get(name)!;
    const g = (await grad.data()) as Float32Array;
    const order = Array.from(g.keys())
      .sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!))
      .slice(0, 2);
    const base = (await v.data()) as Float32Array;
    for (const i of order) {
      const at = (delta: number) => {
        const moved = Float32Array.from(base);
        moved[i]! += delta;
        tf.tidy(() => v.assign(tf.tensor(moved, v.shape)));
        return tf.tidy(() => objective().dataSync()[0]!);
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
      expectAllClose([g[i]!], [numeric], { atol: 2e-3 + 2e-2 * Math.abs(numeric), label: `${label}: d/d ${name}[${i}]` });
    }
  }
  tf.dispose([weights, ...Object.values(grads)]);
  model.dispose();
}

const VARIANTS: [string, Partial<DPRConfig>][] = [
  ['absolute, gelu, projection', { projection_dim: 5 }],
  [
    'relative_key_query, gelu_new, projection',
    { position_embedding_type: 'relative_key_query', hidden_act: 'gelu_new', projection_dim: 4 },
  ],
  ['relative_key, relu', { position_embedding_type: 'relative_key', hidden_act: 'relu' }],
  ['absolute, silu, layer_norm_eps 1e-5', { hidden_act: 'silu', layer_norm_eps: 1e-5 }],
];

for (const backend of ['cpu', 'wasm'] as const) {
  test(`encoder gradients on ${backend} match central differences through every layer`, async () => {
    await setBackend(backend);
    for (const [label, overrides] of VARIANTS) await checkModel(`${backend} ${label}`, overrides);
  });
}

test('dropout runs only in training, seeded, and a trainable build infers exactly as a plain one', async () => {
  await setBackend('cpu');
  const plain = build({ hidden_dropout_prob: 0.3, attention_probs_dropout_prob: 0.2 }, false);
  const trainable = build({ hidden_dropout_prob: 0.3, attention_probs_dropout_prob: 0.2 }, true);
  const inferred = plain.call(INPUTS).pooler_output;
  const inferredTrainable = trainable.forwardPooled(INPUTS);
  expectAllClose(await inferredTrainable.data(), await inferred.data(), { atol: 1e-6, label: 'trainable build, inference' });
  const a = trainable.forwardPooled(INPUTS, seededTrainingPass(7));
  const b = trainable.forwardPooled(INPUTS, seededTrainingPass(7));
  const c = trainable.forwardPooled(INPUTS, seededTrainingPass(8));
  expectAllClose(await a.data(), await b.data(), { atol: 0, label: 'same seed, same masks' });
  const diff = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!);
  assert.ok(diff(a, inferred) > 1e-3, 'dropout changes the training output');
  assert.ok(diff(a, c) > 1e-3, 'another seed draws other masks');
  const before = tf.memory().numTensors;
  tf.dispose(trainable.forwardPooled(INPUTS, seededTrainingPass(1)));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([inferred, inferredTrainable, a, b, c]);
  plain.dispose();
  trainable.dispose();
});
