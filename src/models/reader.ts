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
import type { WeightSpec, WeightStore } from '../layers/weight_store.js';
import { DPREncoder } from './dpr_encoder.js';
import { checkInputs, type IdMatrix, type OutputOptions } from './inputs.js';
import { DPRPretrainedModel, fromWeightArrays, loadPretrained, type ModelClassInfo } from './pretrained.js';
import type { PretrainedOptions } from '../hub/options.js';
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

const PREFIX = 'span_predictor';

export class TFDPRReader extends DPRPretrainedModel {
  readonly encoder: DPREncoder;
  readonly qaOutputs: Linear;
  readonly qaClassifier: Linear;

  private static readonly info: ModelClassInfo<TFDPRReader> = {
    architecture: 'DPRReader',
    weightSpecs: (c) => TFDPRReader.weightSpecs(c),
    create: (c, s) => new TFDPRReader(c, s),
  };

  constructor(config: DPRConfig, store: WeightStore) {
    super(config, store);
    TFDPRReader.checkConfig(config);
    this.encoder = new DPREncoder(config, store, `${PREFIX}.encoder`);
    this.qaOutputs = new Linear(store, `${PREFIX}.qa_outputs`);
    this.qaClassifier = new Linear(store, `${PREFIX}.qa_classifier`);
  }

  /** HF sizes qa_outputs by the encoder's embeddings_size but applies it to hidden states, so a projection cannot work. */
  private static checkConfig(config: DPRConfig): void {
    if (config.projection_dim > 0) {
      throw new ConfigError(
        `a DPR reader needs projection_dim 0 (got ${config.projection_dim}): its span head reads hidden states of size hidden_size.`,
      );
    }
  }

  static weightSpecs(config: DPRConfig): WeightSpec[] {
    TFDPRReader.checkConfig(config);
    const H = config.hidden_size;
    return [
      ...DPREncoder.weightSpecs(config, `${PREFIX}.encoder`),
      ...Linear.weightSpecs(`${PREFIX}.qa_outputs`, H, 2),
      ...Linear.weightSpecs(`${PREFIX}.qa_classifier`, H, 1),
    ];
  }

  static fromPretrained(nameOrDir: string, options: PretrainedOptions = {}): Promise<TFDPRReader> {
    return loadPretrained(TFDPRReader.info, nameOrDir, options);
  }

  static fromWeights(config: Partial<DPRConfig>, weights: Map<string, Float32Array>): TFDPRReader {
    return fromWeightArrays(TFDPRReader.info, config, weights);
  }

  /** Scores answer spans in each passage row. The caller owns the returned tensors. */
  call(inputs: DPRReaderInputs, options: OutputOptions = {}): DPRReaderOutput {
    this.checkAlive();
    const checked = checkInputs(inputs, this.config, 'ones', false);
    const wanted = { hiddenStates: options.output_hidden_states === true, attentions: options.output_attentions === true };
    return tidyResult(() => {
      const result = this.encoder.apply(checked, wanted);
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
