/**
 * Mirrors HF `DPRQuestionEncoder`: a DPREncoder under `question_encoder.`; see DPREncoderModel.
 */
import { DPREncoderModel, type DPREncoderOutput } from './encoder_model.js';

export class TFDPRQuestionEncoder extends DPREncoderModel {
  static readonly architecture = 'DPRQuestionEncoder';
  static readonly prefix = 'question_encoder';
}

export type { DPREncoderOutput };
