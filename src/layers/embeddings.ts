/**
 * Mirrors HF `BertEmbeddings`: word + token type (+ absolute position) embeddings, then LayerNorm
 * (and dropout, in training).
 * For relative position types the position table is still part of the checkpoint but unused, as in HF.
 *
 * Shapes: B batch, T tokens, H hidden.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { LayerNorm } from './layer_norm.js';
import type { TrainingPass } from './forward_context.js';
import type { BufferSpec, WeightSpec, WeightStore } from './weight_store.js';

export class BertEmbeddings {
  readonly wordEmbeddings: tf.Tensor2D;
  readonly positionEmbeddings: tf.Tensor2D;
  readonly tokenTypeEmbeddings: tf.Tensor2D;
  readonly layerNorm: LayerNorm;

  constructor(
    private readonly config: DPRConfig,
    store: WeightStore,
    prefix: string,
  ) {
    const tables = BertEmbeddings.tableSpecs(config, prefix);
    this.wordEmbeddings = store.take(tables.word) as tf.Tensor2D;
    this.positionEmbeddings = store.take(tables.position) as tf.Tensor2D;
    this.tokenTypeEmbeddings = store.take(tables.tokenType) as tf.Tensor2D;
    this.layerNorm = new LayerNorm(store, `${prefix}.LayerNorm`, config.hidden_size, config.layer_norm_eps);
  }

  private static tableSpecs(config: DPRConfig, prefix: string) {
    const H = config.hidden_size;
    return {
      word: { name: `${prefix}.word_embeddings.weight`, shape: [config.vocab_size, H] },
      position: { name: `${prefix}.position_embeddings.weight`, shape: [config.max_position_embeddings, H] },
      tokenType: { name: `${prefix}.token_type_embeddings.weight`, shape: [config.type_vocab_size, H] },
    } satisfies Record<string, WeightSpec>;
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    return [
      ...Object.values(BertEmbeddings.tableSpecs(config, prefix)),
      ...LayerNorm.weightSpecs(`${prefix}.LayerNorm`, config.hidden_size),
    ];
  }

  /** HF registers `position_ids` = [[0, 1, …, max_position_embeddings − 1]] (int64) here; it is saved, never loaded. */
  static bufferSpecs(config: DPRConfig, prefix: string): BufferSpec[] {
    const n = config.max_position_embeddings;
    return [
      { name: `${prefix}.position_ids`, shape: [1, n], dtype: 'int64', values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) },
    ];
  }

  /** ids [B, T] int32 → [B·T, H]. Ids must already be validated (in range). */
  apply(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, training?: TrainingPass): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, T] = inputIds.shape;
      const H = this.config.hidden_size;
      const words = tf.gather(this.wordEmbeddings, tf.reshape(inputIds, [-1])); // [B·T, H]
      const types = tf.gather(this.tokenTypeEmbeddings, tf.reshape(tokenTypeIds, [-1])); // [B·T, H]
      let embeddings: tf.Tensor = tf.add(words, types);
      if (this.config.position_embedding_type === 'absolute') {
        const positions = tf.slice(this.positionEmbeddings, [0, 0], [T, H]); // [T, H]
        embeddings = tf.add(tf.reshape(embeddings, [B, T, H]), positions); // [B, T, H]
      }
      const flat = tf.reshape(embeddings, [B * T, H]) as tf.Tensor2D;
      if (training === undefined) return this.layerNorm.apply(flat);
      return training.dropout(this.layerNorm.applyDifferentiable(flat), this.config.hidden_dropout_prob);
    });
  }
}
