/**
 * Mirrors HF `DPRReader` / `DPRSpanPredictor`: the encoder's sequence output through `qa_outputs`
 * ([H → 2]: start and end logits per token) and the [CLS] state through `qa_classifier`
 * ([H → 1]: the passage relevance). An omitted attention_mask is all ones; the reader takes no
 * token_type_ids (HF runs it with zeros).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { Linear } from '../layers/linear.js';
import type { BufferSpec, WeightSpec, WeightStore } from '../layers/weight_store.js';
import { outputFlags } from './bert_model.js';
import { DPREncoder } from './dpr_encoder.js';
import { checkInputs, type IdMatrix, type OutputOptions } from './inputs.js';
import { DPRPretrainedModel } from './pretrained.js';
import { tidyResult } from '../layers/tidy.js';

export interface DPRReaderInputs {
  input_ids: IdMatrix;
  attention_mask?: IdMatrix;
}

/** A type alias, not an interface, so that `tf.dispose(output)` accepts it. */
export type DPRReaderOutput = {
  /** [n_passages, seq] */
  start_logits: tf.Tensor2D;
  /** [n_passages, seq] */
  end_logits: tf.Tensor2D;
  /** [n_passages] */
  relevance_logits: tf.Tensor1D;
  hidden_states?: tf.Tensor3D[];
  attentions?: tf.Tensor4D[];
};

export class TFDPRReader extends DPRPretrainedModel {
  static readonly architecture = 'DPRReader';
  static readonly prefix = 'span_predictor';

  readonly encoder: DPREncoder;
  readonly qaOutputs: Linear;
  readonly qaClassifier: Linear;

  constructor(config: DPRConfig, store: WeightStore) {
    super(config, store);
    TFDPRReader.checkConfig(config);
    const p = TFDPRReader.prefix;
    const E = DPREncoder.embeddingsSize(config);
    this.encoder = new DPREncoder(config, store, `${p}.encoder`);
    this.qaOutputs = new Linear(store, `${p}.qa_outputs`, E, 2);
    this.qaClassifier = new Linear(store, `${p}.qa_classifier`, E, 1);
  }

  /**
   * HF's DPRSpanPredictor sizes qa_outputs and qa_classifier by the encoder's embeddings_size
   * (projection_dim when > 0) but applies them to hidden states of size hidden_size, so a reader
   * runs only with projection_dim 0 or equal to hidden_size (HF fails in its forward otherwise).
   */
  static override checkConfig(config: DPRConfig): void {
    if (config.projection_dim > 0 && config.projection_dim !== config.hidden_size) {
      throw new ConfigError(
        `a DPR reader needs projection_dim 0 or equal to hidden_size (${config.hidden_size}), got ${config.projection_dim}: ` +
          'its span heads are sized by projection_dim but read hidden states of size hidden_size (HF fails on it too).',
      );
    }
  }

  /** HF's state dict: encode_proj when projection_dim > 0, and heads of width embeddings_size. Describes any config, runnable or not. */
  static weightSpecs(config: DPRConfig): WeightSpec[] {
    const p = TFDPRReader.prefix;
    const E = DPREncoder.embeddingsSize(config);
    return [
      ...DPREncoder.weightSpecs(config, `${p}.encoder`),
      ...Linear.weightSpecs(`${p}.qa_outputs`, E, 2),
      ...Linear.weightSpecs(`${p}.qa_classifier`, E, 1),
    ];
  }

  static bufferSpecs(config: DPRConfig): BufferSpec[] {
    return DPREncoder.bufferSpecs(config, `${TFDPRReader.prefix}.encoder`);
  }

  /** Scores answer spans in each passage row. The caller owns the returned tensors. */
  call(inputs: DPRReaderInputs, options: OutputOptions = {}): DPRReaderOutput {
    this.checkAlive();
    const checked = checkInputs(inputs, this.config, 'ones', false);
    return tidyResult(() => {
      const result = this.encoder.apply(checked, outputFlags(options));
      const { batch: n, seq: T } = checked;
      const H = this.config.hidden_size;
      const sequence = tf.reshape(result.last_hidden_state, [n * T, H]) as tf.Tensor2D; // [n·T, H]
      const logits = tf.reshape(this.qaOutputs.apply(sequence), [n, T, 2]); // [n, T, 2]
      const [start, end] = tf.split(logits, 2, 2).map((x) => tf.reshape(x, [n, T]) as tf.Tensor2D) as [tf.Tensor2D, tf.Tensor2D];
      const cls = tf.reshape(tf.slice(result.last_hidden_state, [0, 0, 0], [n, 1, H]), [n, H]) as tf.Tensor2D; // [n, H]
      const relevance = tf.reshape(this.qaClassifier.apply(cls), [n]) as tf.Tensor1D;
      const output: DPRReaderOutput = { start_logits: start, end_logits: end, relevance_logits: relevance };
      if (result.hidden_states !== undefined) output.hidden_states = result.hidden_states;
      if (result.attentions !== undefined) output.attentions = result.attentions;
      return output;
    });
  }
}

/**
 * HF's PyTorch name for the same class: `DPRReader.fromPretrained(...)` is
 * `TFDPRReader.fromPretrained(...)`, so ported code keeps `DPRReader.from_pretrained`'s name.
 */
export const DPRReader = TFDPRReader;
export type DPRReader = TFDPRReader;
