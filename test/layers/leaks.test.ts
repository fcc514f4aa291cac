/**
 * Every layer and model, run repeatedly: the number of live tensors must not grow, and must come
 * back to where it was once the outputs are disposed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '../../src/backend.js';
import type { DPRConfig, PositionEmbeddingType } from '../../src/config.js';
import { BertAttention } from '../../src/layers/attention.js';
import { BertEmbeddings } from '../../src/layers/embeddings.js';
import { BertEncoder } from '../../src/layers/encoder.js';
import type { ForwardContext } from '../../src/layers/forward_context.js';
import { BertIntermediate } from '../../src/layers/intermediate.js';
import { BertLayer } from '../../src/layers/layer.js';
import { BertOutput } from '../../src/layers/output.js';
import { BertSelfAttention } from '../../src/layers/self_attention.js';
import { BertSelfOutput } from '../../src/layers/self_output.js';
import { BertModel } from '../../src/models/bert_model.js';
import { TFDPRContextEncoder, TFDPRQuestionEncoder, TFDPRReader, InputError } from '../../src/index.js';
import { randomWeightArrays } from '../../src/models/random_weights.js';
import { storeFor, tinyConfig } from '../helpers/tiny_model.js';

const B = 2;
const T = 5;

/** Runs `fn` three times, disposing its result; asserts no tensor survives any run. */
function assertNoLeak(name: string, fn: () => tf.TensorContainer): void {
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    const out = fn();
    assert.ok(tf.memory().numTensors > before, `${name}: the call returned no tensor`);
    tf.dispose(out);
    assert.equal(tf.memory().numTensors, before, `${name}: ${tf.memory().numTensors - before} tensors leaked on run ${i + 1}`);
  }
}

function hidden(config: DPRConfig): tf.Tensor2D {
  return tf.randomNormal([B * T, config.hidden_size], 0, 1, 'float32', 3) as tf.Tensor2D;
}

function mask(): tf.Tensor4D {
  return tf.tensor4d([0, 0, 0, -3.4e38, -3.4e38, 0, 0, 0, 0, 0], [B, 1, 1, T]);
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`layers and models do not leak tensors (${backend})`, async (t) => {
    await setBackend(backend);
    for (const position of ['absolute', 'relative_key', 'relative_key_query'] as PositionEmbeddingType[]) {
      await t.test(`layers with ${position} positions`, () => {
        const config = tinyConfig({ position_embedding_type: position, hidden_act: 'gelu' });
        const h = hidden(config);
        const m = mask();
        const ctx = (outputs: boolean): ForwardContext => ({
          additiveMask: m,
          batch: B,
          seq: T,
          outputAttentions: outputs,
          outputHiddenStates: outputs,
        });
        const ids = tf.tensor2d(
          [
            [1, 2, 3, 0, 0],
            [4, 5, 6, 7, 8],
          ],
          [B, T],
          'int32',
        );
        const types = tf.zeros([B, T], 'int32') as tf.Tensor2D;
        const cases: Array<
          [
            string,
            (c: DPRConfig, s: ReturnType<typeof storeFor>) => () => tf.TensorContainer,
            (c: DPRConfig, p: string) => ReturnType<typeof BertEmbeddings.weightSpecs>,
          ]
        > = [
          [
            'BertEmbeddings',
            (c, s) => {
              const l = new BertEmbeddings(c, s, 'e');
              return () => l.apply(ids, types);
            },
            BertEmbeddings.weightSpecs,
          ],
          [
            'BertSelfAttention',
            (c, s) => {
              const l = new BertSelfAttention(c, s, 'e');
              return () => {
                const r = l.apply(h, ctx(true));
                return [r.context, r.probs!];
              };
            },
            BertSelfAttention.weightSpecs,
          ],
          [
            'BertSelfOutput',
            (c, s) => {
              const l = new BertSelfOutput(c, s, 'e');
              return () => l.apply(h, h);
            },
            BertSelfOutput.weightSpecs,
          ],
          [
            'BertAttention',
            (c, s) => {
              const l = new BertAttention(c, s, 'e');
              return () => {
                const r = l.apply(h, ctx(true));
                return [r.output, r.probs!];
              };
            },
            BertAttention.weightSpecs,
          ],
          [
            'BertIntermediate',
            (c, s) => {
              const l = new BertIntermediate(c, s, 'e');
              return () => l.apply(h);
            },
            BertIntermediate.weightSpecs,
          ],
          [
            'BertLayer',
            (c, s) => {
              const l = new BertLayer(c, s, 'e');
              return () => {
                const r = l.apply(h, ctx(false));
                return [r.output];
              };
            },
            BertLayer.weightSpecs,
          ],
          [
            'BertEncoder',
            (c, s) => {
              const l = new BertEncoder(c, s, 'e');
              return () => {
                const r = l.apply(h, ctx(true));
                return [r.last, ...r.hiddenStates!.slice(1), ...r.attentions!];
              };
            },
            BertEncoder.weightSpecs,
          ],
          [
            'BertEncoder (outputs off)',
            (c, s) => {
              const l = new BertEncoder(c, s, 'e');
              return () => l.apply(h, ctx(false)).last;
            },
            BertEncoder.weightSpecs,
          ],
        ];
        for (const [name, build, specs] of cases) {
          const store = storeFor(specs(config, 'e'));
          assertNoLeak(`${name} (${position})`, build(config, store));
          store.dispose();
        }
        const outStore = storeFor(BertOutput.weightSpecs(config, 'o'));
        const output = new BertOutput(config, outStore, 'o');
        const inter = tf.randomNormal([B * T, config.intermediate_size]) as tf.Tensor2D;
        assertNoLeak('BertOutput', () => output.apply(inter, h));
        outStore.dispose();
        tf.dispose([h, m, ids, types, inter]);
      });
    }

    await t.test('BertModel with hidden states and attentions', () => {
      const config = tinyConfig();
      const store = storeFor(BertModel.weightSpecs(config, 'b'));
      const model = new BertModel(config, store, 'b');
      const inputs = {
        batch: B,
        seq: T,
        inputIds: new Int32Array([1, 2, 3, 0, 0, 4, 5, 6, 7, 8]),
        attentionMask: new Int32Array([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]),
        tokenTypeIds: new Int32Array(B * T),
      };
      assertNoLeak(
        'BertModel',
        () => model.apply(inputs, { outputHiddenStates: true, outputAttentions: true }) as unknown as tf.TensorContainer,
      );
      store.dispose();
    });

    await t.test('the three DPR models, and their error paths, leave no tensor behind', () => {
      const before = tf.memory().numTensors;
      const config = tinyConfig({ projection_dim: 4 });
      const readerConfig = tinyConfig();
      const models = [
        TFDPRQuestionEncoder.fromWeights(config, randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(config))),
        TFDPRContextEncoder.fromWeights(config, randomWeightArrays(TFDPRContextEncoder.weightSpecs(config))),
        TFDPRReader.fromWeights(readerConfig, randomWeightArrays(TFDPRReader.weightSpecs(readerConfig))),
      ];
      const input_ids = [
        [1, 2, 3, 0, 0],
        [4, 5, 6, 7, 8],
      ];
      for (const model of models) {
        assertNoLeak(
          model.constructor.name,
          () => model.call({ input_ids }, { output_hidden_states: true, output_attentions: true }) as unknown as tf.TensorContainer,
        );
        assertNoLeak(`${model.constructor.name} (plain)`, () => model.call({ input_ids }) as unknown as tf.TensorContainer);
        const mid = tf.memory().numTensors;
        assert.throws(
          () =>
            model.call({
              input_ids: [
                [1, 2],
                [3, 999],
              ],
            }),
          InputError,
        );
        const floatIds = tf.tensor2d([[1.5, 2]], [1, 2], 'float32');
        assert.throws(() => model.call({ input_ids: floatIds as tf.Tensor2D }), InputError);
        floatIds.dispose();
        assert.equal(tf.memory().numTensors, mid, `${model.constructor.name}: error path leaked`);
        model.dispose();
        model.dispose();
      }
      assert.equal(tf.memory().numTensors, before, 'disposing the models freed every weight');
    });
  });
}
