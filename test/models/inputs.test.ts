/**
 * Bad input reaches the user as an InputError naming the argument, before any kernel runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, TFDPRQuestionEncoder, TFDPRReader, InputError } from '../../src/index.js';
import { randomWeightArrays } from '../../src/models/random_weights.js';
import { tinyConfig } from '../helpers/tiny_model.js';

test('bad inputs give InputErrors that name the argument and the fix', async () => {
  await setBackend('cpu');
  const config = tinyConfig();
  const q = TFDPRQuestionEncoder.fromWeights(config, randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(config)));
  const reader = TFDPRReader.fromWeights(config, randomWeightArrays(TFDPRReader.weightSpecs(config)));
  const before = tf.memory().numTensors;
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['id out of range', () => q.call({ input_ids: [[1, 50]] }), /input_ids\[0\]\[1\] is 50, outside \[0, 50\)/],
    ['negative id', () => q.call({ input_ids: [[-1, 2]] }), /input_ids\[0\]\[0\] is -1/],
    ['too long', () => q.call({ input_ids: [new Array(17).fill(1)] }), /17 tokens .* max_position_embeddings = 16; truncate/],
    [
      'ragged',
      () =>
        q.call({
          input_ids: [
            [1, 2, 3],
            [1, 2],
          ],
        }),
      /input_ids is ragged: row 0 has 3 entries but row 1 has 2/,
    ],
    ['float ids', () => q.call({ input_ids: [[1, 2.5]] }), /input_ids\[0\]\[1\] is 2\.5; input_ids must hold integers/],
    ['string ids', () => q.call({ input_ids: [['a' as unknown as number]] }), /input_ids\[0\]\[0\] is "a"/],
    ['empty batch', () => q.call({ input_ids: [] }), /empty batch/],
    ['empty sequences', () => q.call({ input_ids: [[]] }), /empty sequences/],
    ['flat array', () => q.call({ input_ids: [1, 2, 3] as unknown as number[][] }), /flat array. Wrap a single sequence as \[ids\]/],
    [
      'mask shape',
      () => q.call({ input_ids: [[1, 2]], attention_mask: [[1, 1, 1]] }),
      /attention_mask has shape \[1, 3\] but input_ids has shape \[1, 2\]/,
    ],
    ['mask values', () => q.call({ input_ids: [[1, 2]], attention_mask: [[1, 2]] }), /attention_mask\[0\]\[1\] is 2, outside \[0, 2\)/],
    ['type ids shape', () => q.call({ input_ids: [[1, 2]], token_type_ids: [[0], [0]] }), /token_type_ids has shape \[2, 1\]/],
    ['type ids range', () => q.call({ input_ids: [[1, 2]], token_type_ids: [[0, 2]] }), /token_type_ids\[0\]\[1\] is 2, outside \[0, 2\)/],
    [
      'reader takes no type ids',
      () => reader.call({ input_ids: [[1, 2]], token_type_ids: [[0, 0]] } as never),
      /token_type_ids is not an input of the DPR reader/,
    ],
    ['missing ids', () => q.call({} as never), /input_ids is required/],
  ];
  for (const [name, fn, pattern] of cases) {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof InputError, `${name}: expected InputError, got ${String(e)}`);
      assert.match(e.message, pattern, name);
      return true;
    });
  }
  const floatTensor = tf.tensor2d([[1, 2]], [1, 2], 'float32') as tf.Tensor2D;
  const rank3 = tf.zeros([1, 2, 2], 'int32');
  assert.throws(() => q.call({ input_ids: floatTensor }), /input_ids must be an int32 tensor; got float32/);
  assert.throws(() => q.call({ input_ids: rank3 as unknown as tf.Tensor2D }), /rank 2 \[batch, sequence\]; got a rank-3 tensor/);
  tf.dispose([floatTensor, rank3]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked on the error paths');
  q.dispose();
  assert.throws(() => q.call({ input_ids: [[1]] }), /was disposed/);
  reader.dispose();
});

test('int32 tensors and arrays give the same outputs; omitted mask follows HF defaults', async () => {
  await setBackend('cpu');
  const config = tinyConfig();
  const q = TFDPRQuestionEncoder.fromWeights(config, randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(config)));
  const ids = [
    [3, 4, 5, 0],
    [6, 7, 8, 9],
  ];
  const idsTensor = tf.tensor2d(ids, [2, 4], 'int32') as tf.Tensor2D;
  const a = q.call({ input_ids: ids });
  const b = q.call({ input_ids: idsTensor });
  const c = q.call({
    input_ids: ids,
    attention_mask: [
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ],
    token_type_ids: [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ],
  });
  const d = q.call({
    input_ids: ids,
    attention_mask: [
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ],
  });
  assert.deepEqual(Array.from(a.pooler_output.dataSync()), Array.from(b.pooler_output.dataSync()));
  assert.deepEqual(Array.from(a.pooler_output.dataSync()), Array.from(c.pooler_output.dataSync()), 'default mask is ids != pad_token_id');
  assert.notDeepEqual(
    Array.from(a.pooler_output.dataSync()).slice(0, 12),
    Array.from(d.pooler_output.dataSync()).slice(0, 12),
    'the mask matters',
  );
  tf.dispose([a, b, c, d, idsTensor] as unknown as tf.TensorContainer);
  q.dispose();
});
