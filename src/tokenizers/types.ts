/**
 * Option and result types of the tokenizers. Keys keep HuggingFace's snake_case names so that a
 * call reads like its Python counterpart (`padding`, `max_length`, `input_ids`, …).
 */

/** HF `padding`: true = 'longest'; false = 'do_not_pad'. */
export type PaddingOption = boolean | 'longest' | 'max_length' | 'do_not_pad';

/** HF `truncation`: true = 'longest_first'; false / null = 'do_not_truncate'. */
export type TruncationOption = boolean | 'longest_first' | 'only_first' | 'only_second' | 'do_not_truncate';

export type PaddingStrategy = 'longest' | 'max_length' | 'do_not_pad';
export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second' | 'do_not_truncate';

export interface BertTokenizerOptions {
  /** Lowercase the text (default true). */
  do_lower_case?: boolean;
  /** Run the basic tokenizer before WordPiece (default true). */
  do_basic_tokenize?: boolean;
  /** Tokens the basic tokenizer must not split. */
  never_split?: string[] | null;
  /** Put spaces around CJK ideographs (default true). */
  tokenize_chinese_chars?: boolean;
  /** null (default): strip accents exactly when lowercasing. */
  strip_accents?: boolean | null;
  unk_token?: string;
  sep_token?: string;
  pad_token?: string;
  cls_token?: string;
  mask_token?: string;
  additional_special_tokens?: string[];
  /**
   * Longest sequence the model takes (512 for DPR). null/undefined: no limit is known, and
   * padding or truncation "to max length" without an explicit max_length is switched off, as HF does.
   */
  model_max_length?: number | null;
  /** Default of `decode`'s clean-up of spaces before punctuation (default true, as transformers 4.27). */
  clean_up_tokenization_spaces?: boolean;
  /** Longer words become the unknown token (default 100). */
  max_input_chars_per_word?: number;
  /**
   * A size limit against runaway inputs (default 1,000,000 UTF-16 units; Infinity for none). With
   * truncation on, a text of any length is read only as far as its kept tokens need, in pieces
   * cut at spaces and line breaks; what must be held whole — a text tokenized without truncation
   * (or with return_overflowing_tokens, or as the untruncated side of 'only_first' /
   * 'only_second'), or a run without spaces and line breaks — may be at most max_chars long, and
   * a longer one is refused with a TokenizerError rather than exhausting memory. Not saved by
   * savePretrained (it is not an HF setting).
   */
  max_chars?: number;
}

export interface EncodeOptions {
  /** Add [CLS] … [SEP] (… [SEP]) (default true). */
  add_special_tokens?: boolean;
  padding?: PaddingOption;
  /** undefined/null is HF's None: truncation is on only when max_length is given without padding. */
  truncation?: TruncationOption | null;
  max_length?: number | null;
  /** With return_overflowing_tokens: how many kept tokens the overflow repeats. */
  stride?: number;
  pad_to_multiple_of?: number | null;
  /** Default true. When false and padding is off, no attention_mask is returned. */
  return_attention_mask?: boolean;
  return_special_tokens_mask?: boolean;
  return_overflowing_tokens?: boolean;
  /** [start, end) in UTF-16 code units of the text each token came from; [0, 0] for special and pad tokens. */
  return_offsets_mapping?: boolean;
  return_length?: boolean;
  /**
   * What to do when the truncation strategy cannot reach max_length (e.g. 'only_first' when the
   * first sequence is too short). 'error' (default) throws a TokenizerError. 'keep' reproduces
   * transformers 4.27, which logs an error and returns the sequence untruncated.
   */
  on_impossible_truncation?: 'error' | 'keep';
}

export type Offset = [number, number];

/** A tokenized sequence before special tokens: ids and, per id, the UTF-16 range it came from. */
export interface TokenizedText {
  ids: number[];
  starts: number[];
  ends: number[];
}

export interface Encoding {
  input_ids: number[];
  token_type_ids: number[];
  attention_mask?: number[];
  special_tokens_mask?: number[];
  offset_mapping?: Offset[];
  overflowing_tokens?: number[];
  num_truncated_tokens?: number;
  length?: number;
}

export interface BatchEncoding {
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask?: number[][];
  special_tokens_mask?: number[][];
  offset_mapping?: Offset[][];
  overflowing_tokens?: number[][];
  num_truncated_tokens?: number[];
  length?: number[];
}

export interface DecodeOptions {
  skip_special_tokens?: boolean;
  /** Default: the tokenizer's clean_up_tokenization_spaces (true). */
  clean_up_tokenization_spaces?: boolean;
}
