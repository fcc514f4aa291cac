/**
 * HF `PreTrainedTokenizerBase.prepare_for_model` without padding: truncation, special tokens,
 * token type ids, and the optional masks, overflow and offsets of one row.
 */
import { InputError, TokenizerError } from '../errors.js';
import { checkNonNegativeInt, type ResolvedStrategies } from './strategies.js';
import { truncateSequences } from './truncation.js';
import type { BatchEncoding, EncodeOptions, Encoding, Offset, TokenizedText } from './types.js';

/** How a tokenizer frames sequences with its special tokens (BERT: [CLS] A [SEP] B [SEP]). */
export interface SpecialTokenLayout {
  numSpecialTokensToAdd(pair?: boolean): number;
  buildInputsWithSpecialTokens(ids0: readonly number[], ids1?: readonly number[] | null): number[];
  createTokenTypeIdsFromSequences(ids0: readonly number[], ids1?: readonly number[] | null): number[];
  getSpecialTokensMask(ids0: readonly number[], ids1?: readonly number[] | null): number[];
}

function checkOverflowRequest(options: EncodeOptions, strategies: ResolvedStrategies, pair: boolean): void {
  if (options.return_overflowing_tokens && strategies.truncation === 'longest_first' && pair) {
    throw new TokenizerError(
      "overflowing tokens cannot be returned for a pair of sequences with truncation 'longest_first'; " +
        "pass truncation: 'only_first' or 'only_second'.",
    );
  }
}

/** [0, 0] for each special token, the text's range for each kept token. */
function offsetMapping(
  first: TokenizedText,
  keepFirst: number,
  second: TokenizedText | null,
  keepSecond: number,
  addSpecial: boolean,
): Offset[] {
  const offsets: Offset[] = [];
  const push = (t: TokenizedText, n: number): void => {
    for (let k = 0; k < n; k++) offsets.push([t.starts[k]!, t.ends[k]!]);
  };
  if (addSpecial) offsets.push([0, 0]);
  push(first, keepFirst);
  if (addSpecial) offsets.push([0, 0]);
  if (second !== null) {
    push(second, keepSecond);
    if (addSpecial) offsets.push([0, 0]);
  }
  return offsets;
}

export function prepareForModel(
  layout: SpecialTokenLayout,
  first: TokenizedText,
  second: TokenizedText | null,
  strategies: ResolvedStrategies,
  options: EncodeOptions,
): Encoding {
  const pair = second !== null;
  const addSpecial = options.add_special_tokens !== false;
  const stride = options.stride ?? 0;
  checkNonNegativeInt(stride, 'stride');
  checkOverflowRequest(options, strategies, pair);
  const maxLength = strategies.max_length;
  const total = first.ids.length + (second?.ids.length ?? 0) + (addSpecial ? layout.numSpecialTokensToAdd(pair) : 0);
  let keepFirst = first.ids.length;
  let keepSecond = second?.ids.length ?? 0;
  let overflowing: number[] = [];
  if (strategies.truncation !== 'do_not_truncate' && maxLength !== null && maxLength > 0 && total > maxLength) {
    const r = truncateSequences(first.ids, second?.ids ?? null, total - maxLength, strategies.truncation, stride);
    if (r.impossible !== null) {
      if (options.on_impossible_truncation !== 'keep')
        throw new TokenizerError(`cannot truncate to max_length ${maxLength}: ${r.impossible}`);
    } else {
      ({ keepFirst, keepSecond, overflowing } = r);
    }
  }
  const ids0 = first.ids.slice(0, keepFirst);
  const ids1 = second === null ? null : second.ids.slice(0, keepSecond);
  const row: Encoding = addSpecial
    ? { input_ids: layout.buildInputsWithSpecialTokens(ids0, ids1), token_type_ids: layout.createTokenTypeIdsFromSequences(ids0, ids1) }
    : { input_ids: ids1 === null ? ids0 : ids0.concat(ids1), token_type_ids: new Array<number>(ids0.length + (ids1?.length ?? 0)).fill(0) };
  if (options.return_overflowing_tokens) {
    row.overflowing_tokens = overflowing;
    // As HF: total_len - max_length, negative when nothing had to go.
    row.num_truncated_tokens = maxLength === null ? 0 : total - maxLength;
  }
  if (options.return_special_tokens_mask) {
    row.special_tokens_mask = addSpecial ? layout.getSpecialTokensMask(ids0, ids1) : new Array<number>(row.input_ids.length).fill(0);
  }
  if (options.return_offsets_mapping) row.offset_mapping = offsetMapping(first, keepFirst, second, keepSecond, addSpecial);
  return row;
}

/** The arguments of HF `batch_encode_plus`: a list of texts and, optionally, one pair text per text. */
export function checkBatchArguments(texts: unknown, textPairs: unknown): void {
  if (!Array.isArray(texts)) throw new InputError(`texts must be an array of strings, found ${typeof texts}; for one text use encode().`);
  if (textPairs === undefined || textPairs === null) return;
  if (!Array.isArray(textPairs)) throw new InputError(`textPairs must be an array of strings or null, found ${typeof textPairs}.`);
  if (textPairs.length !== texts.length) {
    throw new InputError(
      `batch length of texts (${texts.length}) does not match batch length of textPairs (${textPairs.length}); pass one pair text per text.`,
    );
  }
  const bad = textPairs.findIndex((t) => typeof t !== 'string');
  if (bad >= 0) {
    const found = textPairs[bad] === null ? 'null' : typeof textPairs[bad];
    throw new InputError(`textPairs[${bad}] must be a string, found ${found}; pass one pair text per text.`);
  }
}

/** HF `BatchEncoding` of prepared (and padded) rows: one list per field the options ask for. */
export function batchEncoding(rows: readonly Encoding[], options: EncodeOptions): BatchEncoding {
  const out: BatchEncoding = { input_ids: rows.map((r) => r.input_ids), token_type_ids: rows.map((r) => r.token_type_ids) };
  if (options.return_attention_mask !== false) out.attention_mask = rows.map((r) => r.attention_mask ?? []);
  if (options.return_special_tokens_mask) out.special_tokens_mask = rows.map((r) => r.special_tokens_mask ?? []);
  if (options.return_offsets_mapping) out.offset_mapping = rows.map((r) => r.offset_mapping ?? []);
  if (options.return_overflowing_tokens) {
    out.overflowing_tokens = rows.map((r) => r.overflowing_tokens ?? []);
    out.num_truncated_tokens = rows.map((r) => r.num_truncated_tokens ?? 0);
  }
  if (options.return_length) out.length = rows.map((r) => r.input_ids.length);
  return out;
}
