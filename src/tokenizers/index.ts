/** The tokenizers' public API: BERT WordPiece and the three DPR tokenizers, token for token with HuggingFace. */
export { BertTokenizer, BertTokenizerFast, DEFAULT_MAX_CHARS, type Vocab } from './bert_tokenizer.js';
export { cleanUpTokenization } from './decode.js';
export type { ResolvedStrategies } from './strategies.js';
export {
  DPRContextEncoderTokenizer,
  DPRContextEncoderTokenizerFast,
  DPRQuestionEncoderTokenizer,
  DPRQuestionEncoderTokenizerFast,
  DPRReaderTokenizer,
  DPRReaderTokenizerFast,
  type ReaderEncodeOptions,
  type ReaderEncoding,
} from './dpr_tokenizers.js';
export {
  decodeBestSpans,
  getBestSpans,
  type DecodeBestSpansOptions,
  type DPRSpanPrediction,
  type ReaderInput,
  type ReaderOutput,
} from './reader_spans.js';
export { BasicTokenizer, type BasicTokenizerOptions } from './basic_tokenizer.js';
export { WordpieceTokenizer } from './wordpiece.js';
export { parseVocabTxt, readTokenizerDir, type TokenizerFiles } from './tokenizer_files.js';
export type {
  BatchEncoding,
  BertTokenizerOptions,
  DecodeOptions,
  EncodeOptions,
  Encoding,
  Offset,
  TokenizedText,
  PaddingOption,
  PaddingStrategy,
  TruncationOption,
  TruncationStrategy,
} from './types.js';
