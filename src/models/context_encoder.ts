/**
 * Mirrors HF `DPRContextEncoder`: a DPREncoder under `ctx_encoder.`; see DPREncoderModel.
 */
import { DPREncoderModel, type DPREncoderOutput } from './encoder_model.js';

export class TFDPRContextEncoder extends DPREncoderModel {
  static readonly architecture = 'DPRContextEncoder';
  static readonly prefix = 'ctx_encoder';
}

/** HF's `DPRContextEncoderOutput`: what `TFDPRContextEncoder.call` returns (`pooler_output` holds the passage vectors). */
export type DPRContextEncoderOutput = DPREncoderOutput;

/**
 * HF's PyTorch name for the same class: `DPRContextEncoder.fromPretrained(...)` is
 * `TFDPRContextEncoder.fromPretrained(...)`, so ported code keeps `DPRContextEncoder.from_pretrained`'s name.
 */
export const DPRContextEncoder = TFDPRContextEncoder;
export type DPRContextEncoder = TFDPRContextEncoder;

export type { DPREncoderOutput };
