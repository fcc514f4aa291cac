/**
 * Mirrors HF `DPRContextEncoder`: a DPREncoder under `ctx_encoder.`; see DPREncoderModel.
 */
import { DPREncoderModel, type DPREncoderOutput } from './encoder_model.js';

export class TFDPRContextEncoder extends DPREncoderModel {
  static readonly architecture = 'DPRContextEncoder';
  static readonly prefix = 'ctx_encoder';
}

export type { DPREncoderOutput };
