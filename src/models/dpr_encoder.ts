/**
 * Mirrors HF `DPREncoder`: BertModel, the [CLS] hidden state as the pooled output, and
 * `encode_proj` on it when `projection_dim > 0`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { Linear } from '../layers/linear.js';
import type { BufferSpec, WeightSpec, WeightStore } from '../layers/weight_store.js';
import type { TrainingPass } from '../layers/forward_context.js';
import { BertModel, type BertModelOutput, type OutputFlags } from './bert_model.js';
import type { CheckedInputs } from './inputs.js';

export interface DPREncoderResult extends BertModelOutput {
  /** [B, projection_dim or H] */
  pooled_output: tf.Tensor2D;
}

export class DPREncoder {
  readonly bertModel: BertModel;
  readonly encodeProj?: Linear;

  constructor(
    readonly config: DPRConfig,
    store: WeightStore,
    prefix: string,
  ) {
    this.bertModel = new BertModel(config, store, `${prefix}.bert_model`);
    if (config.projection_dim > 0) this.encodeProj = new Linear(store, `${prefix}.encode_proj`, config.hidden_size, config.projection_dim);
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    const specs = BertModel.weightSpecs(config, `${prefix}.bert_model`);
    if (config.projection_dim > 0) specs.push(...Linear.weightSpecs(`${prefix}.encode_proj`, config.hidden_size, config.projection_dim));
    return specs;
  }

  static bufferSpecs(config: DPRConfig, prefix: string): BufferSpec[] {
    return BertModel.bufferSpecs(config, `${prefix}.bert_model`);
  }

  /** HF `embeddings_size`: the width of the pooled output (projection_dim when > 0, else hidden_size). */
  static embeddingsSize(config: DPRConfig): number {
    return config.projection_dim > 0 ? config.projection_dim : config.hidden_size;
  }

  get embeddingsSize(): number {
    return DPREncoder.embeddingsSize(this.config);
  }

  apply(inputs: CheckedInputs, options: OutputFlags, training?: TrainingPass): DPREncoderResult {
    return tf.tidy(() => {
      const out = this.bertModel.apply(inputs, options, training);
      const [B, , H] = out.last_hidden_state.shape;
      const cls = tf.reshape(tf.slice(out.last_hidden_state, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D; // [B, H]
      const pooled = this.encodeProj === undefined ? cls : this.encodeProj.apply(cls);
      return { ...out, pooled_output: pooled };
    });
  }
}
