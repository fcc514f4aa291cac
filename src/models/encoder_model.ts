/**
 * The public call shared by TFDPRQuestionEncoder and TFDPRContextEncoder (HF's
 * `DPRQuestionEncoder.forward` / `DPRContextEncoder.forward`, which are identical but for the
 * weight prefix).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import type { WeightSpec, WeightStore } from '../layers/weight_store.js';
import { DPREncoder } from './dpr_encoder.js';
import { checkInputs, type ModelInputs, type OutputOptions } from './inputs.js';
import { DPRPretrainedModel } from './pretrained.js';
import { tidyResult } from '../layers/tidy.js';

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

  protected constructor(config: DPRConfig, store: WeightStore, prefix: string) {
    super(config, store);
    this.encoder = new DPREncoder(config, store, prefix);
  }

  protected static specsFor(config: DPRConfig, prefix: string): WeightSpec[] {
    return DPREncoder.weightSpecs(config, prefix);
  }

  /** Width of `pooler_output`. */
  get embeddingsSize(): number {
    return this.encoder.embeddingsSize;
  }

  /**
   * Runs the encoder. Inputs are validated first (InputError on bad ids, shapes or lengths).
   * The caller owns the returned tensors (`tf.dispose(output)` frees them all).
   */
  call(inputs: ModelInputs, options: OutputOptions = {}): DPREncoderOutput {
    this.checkAlive();
    const checked = checkInputs(inputs, this.config, 'non_pad');
    const wanted = { hiddenStates: options.output_hidden_states === true, attentions: options.output_attentions === true };
    return tidyResult(() => {
      const result = this.encoder.apply(checked, wanted);
      const output: DPREncoderOutput = { pooler_output: result.pooled_output };
      if (result.hidden_states !== undefined) output.hidden_states = result.hidden_states;
      if (result.attentions !== undefined) output.attentions = result.attentions;
      return output;
    });
  }
}
