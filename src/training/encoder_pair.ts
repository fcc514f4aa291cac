/**
 * What the trainer needs of each encoder: its parameters as tf.Variables by HuggingFace name, a
 * forward pass from token rows to pooled vectors with dropout on or off, its tokenizer, and a way
 * to write itself as a HuggingFace directory.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BertTokenizer } from '../tokenizers/bert_tokenizer.js';
import type { TokenRows } from './biencoder_batch.js';

export interface ForwardOptions {
  /** Dropout as configured (hidden_dropout_prob, attention_probs_dropout_prob) when true. */
  training: boolean;
  /** Seeds the dropout masks of this forward pass (same seed → same masks). */
  dropoutSeed?: number;
}

export interface TrainableEncoder {
  /** Trainable parameters by HF PyTorch name (e.g. `question_encoder.bert_model.embeddings.word_embeddings.weight`). */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  readonly tokenizer: BertTokenizer;
  /** Pooled vectors [rows, D] (the [CLS] state, through encode_proj when configured). */
  encode(rows: TokenRows, options: ForwardOptions): tf.Tensor2D;
  /** Writes config.json, model.safetensors (HF names) and the tokenizer files into `dir`. */
  save(dir: string): Promise<void>;
}
