/**
 * Mirrors HF `BertSelfAttention` (absolute, relative_key and relative_key_query positions).
 *
 * Shape legend: B batch, T tokens, H hidden, nh heads, hs head size (H = nh · hs).
 *
 * Q, K and V are three matMuls, not one fused [H, 3H] projection: splitting the fused result
 * costs more in tfjs-backend-wasm (its SplitV copy was 14% of a layer) than the bigger matMul saves.
 * HF's order of operations is kept: raw scores (+ relative scores) are divided by √hs, then the
 * additive mask is added, then softmax.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { Linear } from './linear.js';
import type { ForwardContext } from './forward_context.js';
import type { WeightSpec, WeightStore } from './weight_store.js';

export interface AttentionResult {
  /** [B·T, H] */
  context: tf.Tensor2D;
  /** [B, nh, T, T], only when requested. */
  probs?: tf.Tensor4D;
}

export class BertSelfAttention {
  private readonly query: Linear;
  private readonly key: Linear;
  private readonly value: Linear;
  private readonly distanceEmbedding?: tf.Tensor2D;
  private readonly heads: number;
  private readonly headSize: number;

  constructor(
    private readonly config: DPRConfig,
    store: WeightStore,
    prefix: string,
  ) {
    this.heads = config.num_attention_heads;
    this.headSize = config.hidden_size / config.num_attention_heads;
    const H = config.hidden_size;
    this.query = new Linear(store, `${prefix}.query`, H, H);
    this.key = new Linear(store, `${prefix}.key`, H, H);
    this.value = new Linear(store, `${prefix}.value`, H, H);
    const distance = BertSelfAttention.distanceSpec(config, prefix);
    if (distance !== undefined) this.distanceEmbedding = store.take(distance) as tf.Tensor2D;
  }

  /** relative_key(_query): one row per distance −(max_pos − 1) … max_pos − 1, of head size. */
  private static distanceSpec(config: DPRConfig, prefix: string): WeightSpec | undefined {
    if (config.position_embedding_type === 'absolute') return undefined;
    const hs = config.hidden_size / config.num_attention_heads;
    return { name: `${prefix}.distance_embedding.weight`, shape: [2 * config.max_position_embeddings - 1, hs] };
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    const H = config.hidden_size;
    const distance = BertSelfAttention.distanceSpec(config, prefix);
    return [
      ...Linear.weightSpecs(`${prefix}.query`, H, H),
      ...Linear.weightSpecs(`${prefix}.key`, H, H),
      ...Linear.weightSpecs(`${prefix}.value`, H, H),
      ...(distance === undefined ? [] : [distance]),
    ];
  }

  /**
   * hidden [B·T, H] → context [B·T, H]; the mask and sizes come from the forward context.
   */
  apply(hidden: tf.Tensor2D, ctx: ForwardContext): AttentionResult {
    return tf.tidy(() => {
      const [B, T, nh, hs] = [ctx.batch, ctx.seq, this.heads, this.headSize];
      const H = nh * hs;
      const heads = (linear: Linear) => tf.transpose(tf.reshape(linear.apply(hidden), [B, T, nh, hs]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, nh, T, hs]
      const [q, k, v] = [heads(this.query), heads(this.key), heads(this.value)];
      let scores: tf.Tensor4D = tf.matMul(q, k, false, true); // [B, nh, T, T]
      if (this.distanceEmbedding !== undefined) scores = tf.add(scores, this.relativeScores(q, k, B, T));
      scores = tf.add(tf.div(scores, Math.sqrt(hs)), ctx.additiveMask);
      const probs = tf.softmax(scores, -1); // [B, nh, T, T]
      // HF drops attention probabilities in training; the returned attentions are the undropped ones.
      const attended = ctx.training === undefined ? probs : ctx.training.dropout(probs, this.config.attention_probs_dropout_prob);
      const context = tf.matMul(attended, v); // [B, nh, T, hs]
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [B * T, H]) as tf.Tensor2D; // [B·T, H]
      return ctx.outputAttentions ? { context: merged, probs } : { context: merged };
    });
  }

  /**
   * HF: distance = l − r; E = distance_embedding[distance + max_pos − 1] ([T, T, hs]);
   * relative_key adds einsum("bhld,lrd->bhlr", q, E); relative_key_query also adds
   * einsum("bhrd,lrd->bhlr", k, E).
   */
  private relativeScores(q: tf.Tensor4D, k: tf.Tensor4D, B: number, T: number): tf.Tensor4D {
    const nh = this.heads;
    const hs = this.headSize;
    const maxPos = this.config.max_position_embeddings;
    const distance = new Int32Array(T * T);
    for (let l = 0; l < T; l++) for (let r = 0; r < T; r++) distance[l * T + r] = l - r + maxPos - 1;
    const table = tf.reshape(tf.gather(this.distanceEmbedding!, tf.tensor1d(distance, 'int32')), [T, T, hs]); // [l, r, hs]
    // Query term: for each l, q[:, :, l, :] · E[l, r, :] → batch over l.
    const qByPosition = tf.reshape(tf.transpose(q, [2, 0, 1, 3]), [T, B * nh, hs]); // [l, B·nh, hs]
    const queryTerm = tf.matMul(qByPosition, table, false, true); // [l, B·nh, r]
    let result = tf.transpose(tf.reshape(queryTerm, [T, B, nh, T]), [1, 2, 0, 3]) as tf.Tensor4D; // [B, nh, l, r]
    if (this.config.position_embedding_type === 'relative_key_query') {
      // Key term: for each r, k[:, :, r, :] · E[l, r, :] → batch over r.
      const kByPosition = tf.reshape(tf.transpose(k, [2, 0, 1, 3]), [T, B * nh, hs]); // [r, B·nh, hs]
      const tableByKey = tf.transpose(table, [1, 0, 2]); // [r, l, hs]
      const keyTerm = tf.matMul(kByPosition, tableByKey, false, true); // [r, B·nh, l]
      result = tf.add(result, tf.transpose(tf.reshape(keyTerm, [T, B, nh, T]), [1, 2, 3, 0])); // [B, nh, l, r]
    }
    return result;
  }
}
