/**
 * Mirrors HF's three DPR tokenizers (transformers/models/dpr/tokenization_dpr.py). The question
 * and context encoder tokenizers are BERT's, unchanged. The reader tokenizer adds
 * `CustomDPRReaderTokenizerMixin`: its own call, building `[CLS] question [SEP] title [SEP] text`
 * rows, and `decode_best_spans`. Each has a `…Fast` twin (HF's Rust-backed classes): the same
 * tokens, ids and offsets, loaded from tokenizer.json when there is one and saved with it.
 */
import { InputError } from '../errors.js';
import { BertTokenizer } from './bert_tokenizer.js';
import { padBatch } from './padding.js';
import {
  decodeBestSpans,
  type DecodeBestSpansOptions,
  type DPRSpanPrediction,
  type ReaderInput,
  type ReaderOutput,
} from './reader_spans.js';
import type { PaddingOption, TruncationOption } from './types.js';

/** HF `DPRQuestionEncoderTokenizer`: identical to BertTokenizer. */
export class DPRQuestionEncoderTokenizer extends BertTokenizer {}

/** HF `DPRContextEncoderTokenizer`: identical to BertTokenizer. */
export class DPRContextEncoderTokenizer extends BertTokenizer {}

/** HF `DPRQuestionEncoderTokenizerFast`. */
export class DPRQuestionEncoderTokenizerFast extends DPRQuestionEncoderTokenizer {
  static override readonly is_fast: boolean = true;
}

/** HF `DPRContextEncoderTokenizerFast`. */
export class DPRContextEncoderTokenizerFast extends DPRContextEncoderTokenizer {
  static override readonly is_fast: boolean = true;
}

export interface ReaderEncodeOptions {
  padding?: PaddingOption;
  /**
   * Truthy (with max_length): each row is cut to max_length by a plain slice — which may cut the
   * final text anywhere and keeps no trailing [SEP], exactly as HF does. Without max_length, nothing
   * is cut (HF does not fall back to model_max_length here).
   */
  truncation?: TruncationOption | null;
  max_length?: number | null;
  /** false: the mask is not computed from pad ids; padding still adds one (HF's `pad` always does). */
  return_attention_mask?: boolean;
}

export interface ReaderEncoding {
  input_ids: number[][];
  attention_mask: number[][];
}

function asList(value: string | readonly string[], name: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value];
  throw new InputError(`${name} must be a string or an array of strings, found ${value === null ? 'null' : typeof value}.`);
}

/** HF `DPRReaderTokenizer`. */
export class DPRReaderTokenizer extends BertTokenizer {
  /**
   * HF `CustomDPRReaderTokenizerMixin.__call__(questions, titles, texts)`: one row per passage,
   * `[CLS] question [SEP] title [SEP] text`. A single question is repeated for every passage. The
   * attention mask marks every id that is not the pad id; no token_type_ids are returned.
   */
  call(
    questions: string | readonly string[],
    titles: string | readonly string[],
    texts: string | readonly string[],
    options: ReaderEncodeOptions = {},
  ): ReaderEncoding {
    const titleList = asList(titles, 'titles');
    const textList = asList(texts, 'texts');
    const nPassages = titleList.length;
    const questionList = typeof questions === 'string' ? new Array<string>(nPassages).fill(questions) : asList(questions, 'questions');
    if (titleList.length !== textList.length) {
      throw new InputError(
        `there must be as many titles as texts, found ${titleList.length} titles and ${textList.length} texts; pass one title per passage.`,
      );
    }
    if (questionList.length !== nPassages) {
      throw new InputError(
        `batch length of questions (${questionList.length}) does not match the number of passages (${nPassages}); ` +
          'pass one question (repeated for every passage) or one question per passage.',
      );
    }
    const maxLength = options.max_length ?? null;
    if (maxLength !== null && (!Number.isInteger(maxLength) || maxLength < 0)) {
      throw new InputError(`max_length must be a non-negative integer, found ${JSON.stringify(maxLength)}.`);
    }
    // Python truthiness of `truncation`: any non-empty strategy name counts, even 'do_not_truncate'.
    const truncate = maxLength !== null && options.truncation !== undefined && options.truncation !== null && options.truncation !== false;
    // HF: `[CLS] question [SEP] title [SEP]` + the text's ids, then a plain slice to max_length.
    // A row keeps at most max_length ids, so no part needs more tokens than that (bounded reading).
    const limit = truncate ? maxLength : Infinity;
    const inputIds = textList.map((text, i) => {
      const question = this.encodeText(questionList[i]!, limit).ids;
      const title = this.encodeText(titleList[i]!, limit).ids;
      const row = this.buildInputsWithSpecialTokens(question, title).concat(this.encodeText(text, limit).ids);
      return truncate ? row.slice(0, maxLength) : row;
    });
    const pad = this.pad_token_id;
    const attentionMask = inputIds.map((row) =>
      options.return_attention_mask === false ? row.map(() => 1) : row.map((id) => (id !== pad ? 1 : 0)),
    );
    // HF `pad(encoded_inputs, padding, max_length)`: the attention mask above is extended with zeros.
    const rows = inputIds.map((ids, i) => ({ input_ids: ids, attention_mask: attentionMask[i]! }));
    const { padding, max_length: padTo } = this.resolveStrategies({ padding: options.padding ?? false, max_length: maxLength });
    padBatch(rows, { padding, max_length: padTo, pad_to_multiple_of: null, return_attention_mask: true, pad_token_id: pad });
    return { input_ids: inputIds, attention_mask: attentionMask };
  }

  /**
   * HF `decode_best_spans(reader_input, reader_output, num_spans, max_answer_length,
   * num_spans_per_passage)`. Logits may be plain arrays or tfjs tensors (read with arraySync).
   */
  decodeBestSpans(readerInput: ReaderInput, readerOutput: ReaderOutput, options: DecodeBestSpansOptions = {}): DPRSpanPrediction[] {
    return decodeBestSpans(this, readerInput, readerOutput, options);
  }
}

/** HF `DPRReaderTokenizerFast`. */
export class DPRReaderTokenizerFast extends DPRReaderTokenizer {
  static override readonly is_fast: boolean = true;
}
