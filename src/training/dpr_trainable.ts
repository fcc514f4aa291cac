/**
 * A DPR question or context encoder as the trainer uses it (TrainableEncoder): the model built with
 * trainable weights, its tokenizer, and saving as a HuggingFace directory.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { resolvePretrained } from '../hub/resolve.js';
import { MODEL_FILES, TOKENIZER_FILES } from '../io/model_files.js';
import { TFDPRContextEncoder } from '../models/context_encoder.js';
import type { DPREncoderModel } from '../models/encoder_model.js';
import { TFDPRQuestionEncoder } from '../models/question_encoder.js';
import { savePretrained } from '../models/save_pretrained.js';
import { DPRContextEncoderTokenizer, DPRQuestionEncoderTokenizer } from '../tokenizers/dpr_tokenizers.js';
import type { BertTokenizer } from '../tokenizers/bert_tokenizer.js';
import type { PretrainedOptions } from '../hub/options.js';
import type { TokenRows } from './biencoder_batch.js';
import { seededTrainingPass } from './dropout.js';
import type { ForwardOptions, TrainableEncoder } from './encoder_pair.js';

export type EncoderArchitecture = 'DPRQuestionEncoder' | 'DPRContextEncoder';

export class DPRTrainableEncoder implements TrainableEncoder {
  readonly parameters: ReadonlyMap<string, tf.Variable>;

  constructor(
    readonly model: DPREncoderModel,
    readonly tokenizer: BertTokenizer,
  ) {
    this.parameters = model.trainableParameters();
  }

  encode(rows: TokenRows, options: ForwardOptions): tf.Tensor2D {
    const training = options.training ? seededTrainingPass(options.dropoutSeed ?? 0) : undefined;
    return this.model.forwardPooled(rows, training);
  }

  /** The model and its tokenizer as one HuggingFace directory. */
  async save(dir: string): Promise<void> {
    await savePretrained(this.model, dir);
    await this.tokenizer.savePretrained(dir);
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Loads an encoder (directory or hub id) with trainable weights, and its tokenizer. */
export async function loadTrainableEncoder(
  nameOrDir: string,
  architecture: EncoderArchitecture,
  hub: PretrainedOptions = {},
): Promise<DPRTrainableEncoder> {
  const dir = await resolvePretrained(nameOrDir, {
    ...hub,
    files: { required: [...MODEL_FILES.required, ...TOKENIZER_FILES.required], optional: [...TOKENIZER_FILES.optional] },
    weights: true,
  });
  const isQuestion = architecture === 'DPRQuestionEncoder';
  const model = isQuestion
    ? await TFDPRQuestionEncoder.fromPretrained(dir, { trainable: true })
    : await TFDPRContextEncoder.fromPretrained(dir, { trainable: true });
  try {
    const tokenizer = isQuestion
      ? await DPRQuestionEncoderTokenizer.fromPretrained(dir)
      : await DPRContextEncoderTokenizer.fromPretrained(dir);
    return new DPRTrainableEncoder(model, tokenizer);
  } catch (e) {
    model.dispose();
    throw e;
  }
}
