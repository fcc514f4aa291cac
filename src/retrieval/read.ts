/**
 * Reading: the DPR reader scores answer spans in a question's passages. The reader tokenizer
 * builds `[CLS] question [SEP] title [SEP] text` rows (padding to the longest, truncation to
 * 512), the model gives start / end / relevance logits, and HF's `decode_best_spans` picks spans.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { TFDPRReader } from '../models/reader.js';
import { DPRReaderTokenizer, type DPRSpanPrediction, type DecodeBestSpansOptions } from '../tokenizers/index.js';
import { resolveModel, type ResolveModelOptions } from './model_kind.js';

export interface ReadPassage {
  title?: string;
  text: string;
}

export interface LoadedReader {
  reader: TFDPRReader;
  tokenizer: DPRReaderTokenizer;
}

/** Loads a DPR reader and its tokenizer from a directory or hub id, after checking it is a reader. */
export async function loadReader(modelArgument: string, options: ResolveModelOptions = {}): Promise<LoadedReader> {
  const { model } = await resolveModel(modelArgument, ['DPRReader'], options);
  const tokenizer = await DPRReaderTokenizer.fromPretrained(model);
  const reader = await TFDPRReader.fromPretrained(model);
  return { reader, tokenizer };
}

export function readerMaxLength(tokenizer: DPRReaderTokenizer, reader: TFDPRReader): number {
  return Math.min(tokenizer.model_max_length ?? 512, 512, reader.config.max_position_embeddings);
}

export async function readSpans(
  reader: TFDPRReader,
  tokenizer: DPRReaderTokenizer,
  question: string,
  passages: readonly ReadPassage[],
  options: DecodeBestSpansOptions = {},
): Promise<DPRSpanPrediction[]> {
  if (passages.length === 0) throw new InputError('there are no passages to read; give at least one.');
  const encoded = tokenizer.call(
    question,
    passages.map((p) => p.title ?? ''),
    passages.map((p) => p.text),
    { padding: 'longest', truncation: true, max_length: readerMaxLength(tokenizer, reader) },
  );
  const output = reader.call(encoded);
  try {
    const [start, end, relevance] = await Promise.all([
      output.start_logits.array(),
      output.end_logits.array(),
      output.relevance_logits.array(),
    ]);
    return tokenizer.decodeBestSpans(encoded, { start_logits: start, end_logits: end, relevance_logits: relevance }, options);
  } finally {
    tf.dispose(output as unknown as tf.TensorContainer);
  }
}
