/**
 * Everything TFDPRQuestionEncoder and TFDPRContextEncoder share (HF's `DPRQuestionEncoder` and
 * `DPRContextEncoder` are identical but for the weight prefix): a DPREncoder under the class's
 * `prefix`, and the public call. An omitted attention_mask is `input_ids != pad_token_id`, omitted
 * token_type_ids are zeros.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import type { BufferSpec, WeightSpec, WeightStore } from '../layers/weight_store.js';
import { outputFlags } from './bert_model.js';
import { DPREncoder } from './dpr_encoder.js';
import { checkInputs, type ModelInputs, type OutputOptions } from './inputs.js';
import { DPRPretrainedModel } from './pretrained.js';
import { tidyResult } from '../layers/tidy.js';
import type { TrainingPass } from '../layers/forward_context.js';

/** A type alias, not an interface, so that `tf.dispose(output)` accepts it. */
export type DPREncoderOutput = {
  /** [batch, projection_dim or hidden_size] — the passage / question vectors. */
  pooler_output: tf.Tensor2D;
  /** With output_hidden_states: num_layers + 1 tensors [batch, seq, hidden]. */
  hidden_states?: tf.Tensor3D[];
  /** With output_attentions: num_layers tensors [batch, heads, seq, seq]. */
  attentions?: tf.Tensor4D[];
};

export abstract class DPREncoderModel extends DPRPretrainedModel {
  readonly encoder: DPREncoder;

  constructor(config: DPRConfig, store: WeightStore) {
    super(config, store);
    // The subclass names the prefix (a static), so its weights are named in one place.
    this.encoder = new DPREncoder(config, store, (this.constructor as unknown as { readonly prefix: string }).prefix);
  }

  static weightSpecs(this: { readonly prefix: string }, config: DPRConfig): WeightSpec[] {
    return DPREncoder.weightSpecs(config, this.prefix);
  }

  static bufferSpecs(this: { readonly prefix: string }, config: DPRConfig): BufferSpec[] {
    return DPREncoder.bufferSpecs(config, this.prefix);
  }

  /** Width of `pooler_output`. */
  get embeddingsSize(): number {
    return this.encoder.embeddingsSize;
  }

  /**
   * pooler_output [batch, D] of a forward pass for training: with `training`, dropout as configured
   * (hidden_dropout_prob, attention_probs_dropout_prob); run it under tf.variableGrads over
   * `trainableParameters()` (a model built with { trainable: true }) to get gradients.
   */
  forwardPooled(inputs: ModelInputs, training?: TrainingPass): tf.Tensor2D {
    this.checkAlive();
    const checked = checkInputs(inputs, this.config, 'non_pad');
    return tf.tidy(() => this.encoder.apply(checked, outputFlags({}), training).pooled_output);
  }

  /**
   * Runs the encoder. Inputs are validated first (InputError on bad ids, shapes or lengths).
   * The caller owns the returned tensors (`tf.dispose(output)` frees them all).
   */
  call(inputs: ModelInputs, options: OutputOptions = {}): DPREncoderOutput {
    this.checkAlive();
    const checked = checkInputs(inputs, this.config, 'non_pad');
    return tidyResult(() => {
      const result = this.encoder.apply(checked, outputFlags(options));
      const output: DPREncoderOutput = { pooler_output: result.pooled_output };
      if (result.hidden_states !== undefined) output.hidden_states = result.hidden_states;
      if (result.attentions !== undefined) output.attentions = result.attentions;
      return output;
    });
  }
}
