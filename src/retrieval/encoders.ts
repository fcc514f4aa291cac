/**
 * A ready-to-use encoder for retrieval: the model's tokenizer, its embedder and the input length
 * limit, loaded from one model directory after checking it is the kind of model wanted.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from '../io/model_files.js';
import type { DPRArchitecture, DPRConfig } from '../config.js';
import { DPRContextEncoderTokenizer, DPRQuestionEncoderTokenizer, type BertTokenizer } from '../tokenizers/index.js';
import { createEmbedder, type EncodedRow, type Embedder } from './embedder.js';
import { resolveModel, type ResolveModelOptions } from './model_kind.js';
import { encodeForEncoder, maxInputLength } from './tokenize.js';

type EncoderKind = Extract<DPRArchitecture, 'DPRQuestionEncoder' | 'DPRContextEncoder'>;

export interface LoadedEncoder {
  model: string;
  architecture: EncoderKind;
  config: DPRConfig;
  /** sha256 of config.json, recorded in an index to tell encoders apart. */
  configSha256: string;
  tokenizer: BertTokenizer;
  maxLength: number;
  embedder: Embedder;
  /** HF's encoding of a text (and, for a context encoder, its title). */
  tokenize(text: string, title?: string): EncodedRow;
  dispose(): Promise<void>;
}

export interface LoadEncoderOptions extends ResolveModelOptions {
  /** Encoder worker threads (see EmbedderOptions.workers). */
  workers?: number;
}

export async function loadEncoder(
  modelArgument: string,
  accepted: readonly EncoderKind[],
  options: LoadEncoderOptions = {},
): Promise<LoadedEncoder> {
  const info = await resolveModel(modelArgument, accepted, options);
  const model = info.model;
  const architecture = info.architecture as EncoderKind;
  const tokenizer =
    architecture === 'DPRQuestionEncoder'
      ? await DPRQuestionEncoderTokenizer.fromPretrained(model)
      : await DPRContextEncoderTokenizer.fromPretrained(model);
  const maxLength = maxInputLength(tokenizer, info.config);
  const embedder = await createEmbedder({ model, architecture, ...(options.workers !== undefined ? { workers: options.workers } : {}) });
  return {
    model,
    architecture,
    config: info.config,
    configSha256: createHash('sha256')
      .update(readFileSync(join(model, CONFIG_FILE)))
      .digest('hex'),
    tokenizer,
    maxLength,
    embedder,
    // A question encoder encodes the text alone, as HF's question tokenizer is called.
    tokenize: (text, title) => encodeForEncoder(tokenizer, maxLength, text, architecture === 'DPRContextEncoder' ? title : undefined),
    dispose: () => embedder.dispose(),
  };
}
