/**
 * How DPR text becomes encoder input, as HF does it: a question is `tokenizer(text)`, a passage
 * with a title is the pair `tokenizer(title, text)` ([CLS] title [SEP] text [SEP], type ids 0 then
 * 1), a passage without one is `tokenizer(text)`; all truncated to the tokenizer's
 * model_max_length (longest_first for pairs).
 */
import type { DPRConfig } from '../config.js';
import type { BertTokenizer } from '../tokenizers/index.js';
import type { EncodedRow } from './embedder.js';

/** The longest input: the tokenizer's model_max_length, capped by the model's positions. */
export function maxInputLength(tokenizer: BertTokenizer, config: DPRConfig): number {
  const fromTokenizer = tokenizer.model_max_length ?? Infinity;
  return Math.min(fromTokenizer, config.max_position_embeddings);
}

export function encodeForEncoder(tokenizer: BertTokenizer, maxLength: number, text: string, title?: string): EncodedRow {
  const options = { truncation: true, max_length: maxLength } as const;
  const encoding = title !== undefined && title !== '' ? tokenizer.encode(title, text, options) : tokenizer.encode(text, null, options);
  return {
    input_ids: encoding.input_ids,
    token_type_ids: encoding.token_type_ids,
    attention_mask: encoding.attention_mask ?? encoding.input_ids.map(() => 1),
  };
}
