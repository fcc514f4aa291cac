/**
 * Mirrors HF `DPRQuestionEncoder`: a DPREncoder under `question_encoder.`; see DPREncoderModel.
 */
import { DPREncoderModel, type DPREncoderOutput } from './encoder_model.js';

export class TFDPRQuestionEncoder extends DPREncoderModel {
  static readonly architecture = 'DPRQuestionEncoder';
  static readonly prefix = 'question_encoder';
}

/** HF's `DPRQuestionEncoderOutput`: what `TFDPRQuestionEncoder.call` returns (`pooler_output` holds the question vectors). */
export type DPRQuestionEncoderOutput = DPREncoderOutput;

/**
 * HF's PyTorch name for the same class: `DPRQuestionEncoder.fromPretrained(...)` is
 * `TFDPRQuestionEncoder.fromPretrained(...)`, so ported code keeps `DPRQuestionEncoder.from_pretrained`'s name.
 */
export const DPRQuestionEncoder = TFDPRQuestionEncoder;
export type DPRQuestionEncoder = TFDPRQuestionEncoder;

export type { DPREncoderOutput };
