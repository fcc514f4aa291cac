/**
 * Mirrors HF `DPRQuestionEncoder`: weights under `question_encoder.`; an omitted attention_mask is
 * `input_ids != pad_token_id`, omitted token_type_ids are zeros.
 */
import type { DPRConfig } from '../config.js';
import type { WeightSpec, WeightStore } from '../layers/weight_store.js';
import { DPREncoderModel, type DPREncoderOutput } from './encoder_model.js';
import { fromWeightArrays, loadPretrained, type ModelClassInfo } from './pretrained.js';
import type { PretrainedOptions } from '../hub/options.js';

export class TFDPRQuestionEncoder extends DPREncoderModel {
  static readonly prefix = 'question_encoder';

  static weightSpecs(config: DPRConfig): WeightSpec[] {
    return DPREncoderModel.specsFor(config, TFDPRQuestionEncoder.prefix);
  }

  private static readonly info: ModelClassInfo<TFDPRQuestionEncoder> = {
    architecture: 'DPRQuestionEncoder',
    weightSpecs: (c) => TFDPRQuestionEncoder.weightSpecs(c),
    create: (c, s) => new TFDPRQuestionEncoder(c, s),
  };

  constructor(config: DPRConfig, store: WeightStore) {
    super(config, store, TFDPRQuestionEncoder.prefix);
  }

  /** Loads `config.json` and `model.safetensors` (HF PyTorch weight names) from a directory, or from
   * the HuggingFace cache for a hub id such as "facebook/dpr-question_encoder-single-nq-base"
   * (downloaded on first use; see PretrainedOptions). */
  static fromPretrained(nameOrDir: string, options: PretrainedOptions = {}): Promise<TFDPRQuestionEncoder> {
    return loadPretrained(TFDPRQuestionEncoder.info, nameOrDir, options);
  }

  /** Builds the model from float32 arrays keyed by HF name. The backend must be ready. */
  static fromWeights(config: Partial<DPRConfig>, weights: Map<string, Float32Array>): TFDPRQuestionEncoder {
    return fromWeightArrays(TFDPRQuestionEncoder.info, config, weights);
  }
}

export type { DPREncoderOutput };
