/**
 * Mirrors HF `BertModel` as DPR builds it (`add_pooling_layer=False`): embeddings, the additive
 * attention mask, the encoder. Returns the sequence output and, on request, every hidden state
 * and attention map.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { BertEmbeddings } from '../layers/embeddings.js';
import { BertEncoder } from '../layers/encoder.js';
import type { ForwardContext, TrainingPass } from '../layers/forward_context.js';
import type { BufferSpec, WeightSpec, WeightStore } from '../layers/weight_store.js';
import type { CheckedInputs, OutputOptions } from './inputs.js';
import { tidyResult } from '../layers/tidy.js';

/** torch.finfo(torch.float32).min — what HF multiplies (1 − mask) by. */
export const FLOAT32_MIN = -3.4028234663852886e38;

export interface BertModelOutput {
  /** [B, T, H] */
  last_hidden_state: tf.Tensor3D;
  /** num_layers + 1 entries of [B, T, H]. */
  hidden_states?: tf.Tensor3D[];
  /** num_layers entries of [B, nh, T, T]. */
  attentions?: tf.Tensor4D[];
}

/** Which optional outputs a forward pass returns. */
export type OutputFlags = Pick<ForwardContext, 'outputHiddenStates' | 'outputAttentions'>;

/** HF's output_hidden_states / output_attentions arguments, defaulting to off. */
export function outputFlags(options: OutputOptions): OutputFlags {
  return { outputHiddenStates: options.output_hidden_states === true, outputAttentions: options.output_attentions === true };
}

export class BertModel {
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;

  constructor(
    readonly config: DPRConfig,
    store: WeightStore,
    prefix: string,
  ) {
    this.embeddings = new BertEmbeddings(config, store, `${prefix}.embeddings`);
    this.encoder = new BertEncoder(config, store, `${prefix}.encoder`);
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    return [...BertEmbeddings.weightSpecs(config, `${prefix}.embeddings`), ...BertEncoder.weightSpecs(config, `${prefix}.encoder`)];
  }

  static bufferSpecs(config: DPRConfig, prefix: string): BufferSpec[] {
    return BertEmbeddings.bufferSpecs(config, `${prefix}.embeddings`);
  }

  /** `training` (src/training) turns dropout on; inference leaves it undefined. */
  apply(inputs: CheckedInputs, options: OutputFlags, training?: TrainingPass): BertModelOutput {
    return tidyResult(() => {
      const { batch: B, seq: T } = inputs;
      const H = this.config.hidden_size;
      const ids = tf.tensor2d(inputs.inputIds, [B, T], 'int32');
      const types = tf.tensor2d(inputs.tokenTypeIds, [B, T], 'int32');
      // HF: (1 − mask) · finfo(float32).min, broadcast over heads and query positions.
      const additive = new Float32Array(B * T);
      for (let i = 0; i < additive.length; i++) additive[i] = inputs.attentionMask[i] === 1 ? 0 : FLOAT32_MIN;
      const additiveMask = tf.tensor4d(additive, [B, 1, 1, T]);
      const embedded = this.embeddings.apply(ids, types, training); // [B·T, H]
      const ctx: ForwardContext = { additiveMask, batch: B, seq: T, ...options, ...(training !== undefined ? { training } : {}) };
      const encoded = this.encoder.apply(embedded, ctx);
      const to3d = (x: tf.Tensor2D) => tf.reshape(x, [B, T, H]) as tf.Tensor3D;
      const output: BertModelOutput = { last_hidden_state: to3d(encoded.last) };
      if (encoded.hiddenStates !== undefined) output.hidden_states = encoded.hiddenStates.map(to3d);
      if (encoded.attentions !== undefined) output.attentions = encoded.attentions;
      return output;
    });
  }
}
