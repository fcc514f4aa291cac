/**
 * Mirrors HF `BertTokenizer` (the slow, Python tokenizer of transformers 4.27) together with the
 * parts of `PreTrainedTokenizer` / `PreTrainedTokenizerBase` it relies on: special tokens that are
 * never split, `prepare_for_model`, `truncate_sequences`, `pad` / `_pad`,
 * `_get_padding_truncation_strategies`, `decode` and `clean_up_tokenization`.
 *
 * Offsets (HF's `offset_mapping`, which only its fast tokenizers offer) come from carrying each
 * character's position in the input through every normalisation step.
 */
import { InputError, TokenizerError } from '../errors.js';
import { BasicTokenizer, alignText, codePointsToString, type AlignedChars } from './basic_tokenizer.js';
import { LARGE_INTEGER, readTokenizerDir } from './tokenizer_files.js';
import { splitPretrainedOptions, type PretrainedOptions } from '../hub/options.js';
import { resolvePretrained } from '../hub/resolve.js';
import { TOKENIZER_FILES } from '../io/model_files.js';
import type {
  BatchEncoding,
  BertTokenizerOptions,
  DecodeOptions,
  EncodeOptions,
  Encoding,
  Offset,
  PaddingOption,
  PaddingStrategy,
  TruncationOption,
  TruncationStrategy,
} from './types.js';
import { isPythonSpace, lowerCodePoint } from './unicode.js';
import { WordpieceTokenizer, type AlignedTokens } from './wordpiece.js';

/** A tokenized sequence before special tokens: ids and, per id, the UTF-16 range it came from. */
export interface TokenizedText {
  ids: number[];
  starts: number[];
  ends: number[];
}

/** What `_get_padding_truncation_strategies` resolves a call's options to. */
export interface ResolvedStrategies {
  padding: PaddingStrategy;
  truncation: TruncationStrategy;
  max_length: number | null;
}

/** One row on its way through prepare_for_model and _pad: an Encoding being built. */
type Row = Encoding;

export type Vocab = ReadonlyMap<string, number> | readonly string[];

const DEFAULT_SPECIALS = {
  unk_token: '[UNK]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  cls_token: '[CLS]',
  mask_token: '[MASK]',
} as const;

function checkNonNegativeInt(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InputError(`${name} must be a non-negative integer, found ${JSON.stringify(value)}; pass e.g. ${name}: 512.`);
  }
}

function resolvePadding(padding: PaddingOption | undefined): PaddingStrategy {
  if (padding === undefined || padding === false || padding === 'do_not_pad') return 'do_not_pad';
  if (padding === true || padding === 'longest') return 'longest';
  if (padding === 'max_length') return 'max_length';
  throw new InputError(
    `padding must be true, false, 'longest', 'max_length' or 'do_not_pad', found ${JSON.stringify(padding)}.`,
  );
}

function resolveTruncation(truncation: TruncationOption | null | undefined): TruncationStrategy {
  if (truncation === undefined || truncation === null || truncation === false || truncation === 'do_not_truncate') {
    return 'do_not_truncate';
  }
  if (truncation === true || truncation === 'longest_first') return 'longest_first';
  if (truncation === 'only_first' || truncation === 'only_second') return truncation;
  throw new InputError(
    `truncation must be true, false, 'longest_first', 'only_first', 'only_second' or 'do_not_truncate', found ${JSON.stringify(truncation)}.`,
  );
}

/** Python `str.strip()`. */
function pyStrip(s: string): string {
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && isPythonSpace(cps[a]!.codePointAt(0)!)) a++;
  while (b > a && isPythonSpace(cps[b - 1]!.codePointAt(0)!)) b--;
  return cps.slice(a, b).join('');
}

/** HF `clean_up_tokenization`: removes the space that `decode` leaves before punctuation and contractions. */
export function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

export class BertTokenizer {
  /** token → id. */
  readonly vocab: ReadonlyMap<string, number>;
  /** id → token (ids that a later duplicate line shadowed are absent, as in HF). */
  readonly ids_to_tokens: ReadonlyMap<number, string>;
  readonly do_lower_case: boolean;
  readonly do_basic_tokenize: boolean;
  readonly unk_token: string;
  readonly sep_token: string;
  readonly pad_token: string;
  readonly cls_token: string;
  readonly mask_token: string;
  readonly additional_special_tokens: readonly string[];
  /** null when no limit is known (HF's VERY_LARGE_INTEGER). */
  readonly model_max_length: number | null;
  readonly clean_up_tokenization_spaces: boolean;
  readonly basic_tokenizer: BasicTokenizer | null;
  readonly wordpiece_tokenizer: WordpieceTokenizer;

  /** HF `unique_no_split_tokens`: sorted special tokens, matched in the raw text before anything else. */
  private readonly noSplitTokens: string[];
  private readonly noSplitCodePoints: number[][];
  private readonly noSplitFirst: Set<number>;
  private readonly allSpecialIds: Set<number>;

  constructor(vocab: Vocab, options: BertTokenizerOptions = {}) {
    const map = new Map<string, number>();
    if (Array.isArray(vocab)) (vocab as readonly string[]).forEach((t, i) => map.set(t, i));
    else for (const [t, i] of vocab as ReadonlyMap<string, number>) map.set(t, i);
    if (map.size === 0) throw new TokenizerError('the vocabulary is empty; pass the tokens of vocab.txt (one per id).');
    this.vocab = map;
    const inverse = new Map<number, string>();
    for (const [t, i] of map) inverse.set(i, t);
    this.ids_to_tokens = inverse;

    this.do_lower_case = options.do_lower_case ?? true;
    this.do_basic_tokenize = options.do_basic_tokenize ?? true;
    this.unk_token = options.unk_token ?? DEFAULT_SPECIALS.unk_token;
    this.sep_token = options.sep_token ?? DEFAULT_SPECIALS.sep_token;
    this.pad_token = options.pad_token ?? DEFAULT_SPECIALS.pad_token;
    this.cls_token = options.cls_token ?? DEFAULT_SPECIALS.cls_token;
    this.mask_token = options.mask_token ?? DEFAULT_SPECIALS.mask_token;
    this.additional_special_tokens = [...(options.additional_special_tokens ?? [])];
    const maxLen = options.model_max_length;
    if (maxLen !== undefined && maxLen !== null) checkNonNegativeInt(maxLen, 'model_max_length');
    this.model_max_length = maxLen === undefined || maxLen === null || maxLen > LARGE_INTEGER ? null : maxLen;
    this.clean_up_tokenization_spaces = options.clean_up_tokenization_spaces ?? true;

    for (const key of ['unk_token', 'cls_token', 'sep_token'] as const) {
      if (!map.has(this[key])) {
        throw new TokenizerError(
          `${key} "${this[key]}" is not in the vocabulary (${map.size} tokens); set ${key} in special_tokens_map.json ` +
            'to a token of vocab.txt, or use the vocab.txt the checkpoint was trained with.',
        );
      }
    }
    for (const t of this.additional_special_tokens) {
      if (!map.has(t)) {
        throw new TokenizerError(`additional special token "${t}" is not in the vocabulary; add it to vocab.txt.`);
      }
    }

    this.basic_tokenizer = this.do_basic_tokenize
      ? new BasicTokenizer({
          do_lower_case: this.do_lower_case,
          never_split: options.never_split ?? [],
          tokenize_chinese_chars: options.tokenize_chinese_chars ?? true,
          strip_accents: options.strip_accents ?? null,
        })
      : null;
    const maxChars = options.max_input_chars_per_word ?? 100;
    checkNonNegativeInt(maxChars, 'max_input_chars_per_word');
    this.wordpiece_tokenizer = new WordpieceTokenizer(map, this.unk_token, maxChars);

    this.noSplitTokens = [...new Set(this.all_special_tokens)].sort();
    this.noSplitCodePoints = this.noSplitTokens.map((t) => Array.from(t, (c) => c.codePointAt(0)!));
    this.noSplitFirst = new Set(this.noSplitCodePoints.filter((c) => c.length > 0).map((c) => c[0]!));
    this.allSpecialIds = new Set(this.all_special_ids);
  }

  /**
   * Loads a tokenizer directory (vocab.txt + tokenizer_config.json + special_tokens_map.json, or
   * tokenizer.json alone), or a hub id such as "facebook/dpr-question_encoder-single-nq-base"
   * through the HuggingFace cache (the hub options — revision, cacheDir, localFilesOnly, token,
   * onProgress, endpoint — are in PretrainedOptions). The other `options` override what the files say.
   */
  static async fromPretrained<T extends BertTokenizer>(
    this: new (vocab: Vocab, options?: BertTokenizerOptions) => T,
    nameOrDir: string,
    allOptions: BertTokenizerOptions & PretrainedOptions = {},
  ): Promise<T> {
    const { hub, rest: options } = splitPretrainedOptions(allOptions);
    const dir = await resolvePretrained(nameOrDir, { ...hub, files: TOKENIZER_FILES });
    const files = await readTokenizerDir(dir);
    return new this(files.vocab, { ...files.options, ...options });
  }

  // ---------------------------------------------------------------- vocabulary and special tokens

  /** HF `vocab_size` (the number of distinct tokens). */
  get vocab_size(): number {
    return this.vocab.size;
  }

  get all_special_tokens(): string[] {
    const out: string[] = [];
    for (const t of [this.unk_token, this.sep_token, this.pad_token, this.cls_token, this.mask_token, ...this.additional_special_tokens]) {
      if (!out.includes(t)) out.push(t);
    }
    return out;
  }

  get all_special_ids(): number[] {
    return this.convertTokensToIds(this.all_special_tokens);
  }

  get unk_token_id(): number {
    return this.vocab.get(this.unk_token)!;
  }
  get cls_token_id(): number {
    return this.vocab.get(this.cls_token)!;
  }
  get sep_token_id(): number {
    return this.vocab.get(this.sep_token)!;
  }
  /** The unknown token's id when [PAD] is missing, as HF's `convert_tokens_to_ids` gives. */
  get pad_token_id(): number {
    return this.vocab.get(this.pad_token) ?? this.unk_token_id;
  }

  convertTokensToIds(tokens: readonly string[]): number[] {
    const unk = this.vocab.get(this.unk_token)!;
    return tokens.map((t) => this.vocab.get(t) ?? unk);
  }

  /** Unknown ids become the unknown token, as in HF. */
  convertIdsToTokens(ids: readonly number[], skipSpecialTokens = false): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (skipSpecialTokens && this.allSpecialIds.has(id)) continue;
      out.push(this.ids_to_tokens.get(id) ?? this.unk_token);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- tokenize

  /** HF `tokenize(text)`: the WordPiece tokens of one text, without special tokens added. */
  tokenize(text: string): string[] {
    return this.tokenizeAligned(text).tokens;
  }

  /** Ids of one text without special tokens, with the UTF-16 range of the text each came from. */
  encodeText(text: string): TokenizedText {
    const { tokens, starts, ends } = this.tokenizeAligned(text);
    const unk = this.unk_token_id;
    const ids = new Array<number>(tokens.length);
    for (let i = 0; i < tokens.length; i++) ids[i] = this.vocab.get(tokens[i]!) ?? unk;
    return { ids, starts, ends };
  }

  /** Tokens of one text and, per token, its UTF-16 range in `text`. */
  tokenizeAligned(text: string): AlignedTokens {
    if (typeof text !== 'string') {
      throw new InputError(`text must be a string, found ${text === null ? 'null' : typeof text}; pass the text to tokenize.`);
    }
    const chars = this.preLower(text);
    const out: AlignedTokens = { tokens: [], starts: [], ends: [] };
    const { cps } = chars;
    let segmentStart = 0;
    let i = 0;
    while (i < cps.length) {
      const match = this.noSplitFirst.has(cps[i]!) ? this.matchNoSplit(cps, i) : -1;
      if (match < 0) {
        i++;
        continue;
      }
      this.tokenizeSegment(chars, segmentStart, i, out);
      const len = this.noSplitCodePoints[match]!.length;
      out.tokens.push(this.noSplitTokens[match]!);
      out.starts.push(chars.starts[i]!);
      out.ends.push(chars.ends[i + len - 1]!);
      i += len;
      segmentStart = i;
    }
    this.tokenizeSegment(chars, segmentStart, cps.length, out);
    return out;
  }

  /** Index in noSplitTokens of the longest no-split token starting at `i`, or -1. */
  private matchNoSplit(cps: number[], i: number): number {
    let best = -1;
    let bestLen = 0;
    for (let k = 0; k < this.noSplitCodePoints.length; k++) {
      const t = this.noSplitCodePoints[k]!;
      if (t.length <= bestLen || i + t.length > cps.length) continue;
      let ok = true;
      for (let j = 0; j < t.length; j++) {
        if (cps[i + j] !== t[j]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        best = k;
        bestLen = t.length;
      }
    }
    return best;
  }

  /**
   * HF `PreTrainedTokenizer.tokenize` lowercases the text one character at a time (a regex
   * `(special|…)|(.+?)`) before splitting off the special tokens, when the tokenizer lowercases.
   * Per character means no final-sigma context: "ΟΔΟΣ" becomes "οδοσ", not "οδος".
   */
  private preLower(text: string): AlignedChars {
    const chars = alignText(text);
    if (!(this.do_basic_tokenize && this.do_lower_case)) return chars;
    const cps: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const src = chars.cps;
    let i = 0;
    while (i < src.length) {
      const cp = src[i]!;
      if (this.noSplitFirst.has(cp)) {
        const k = this.firstMatchingSpecial(src, i);
        if (k >= 0) {
          const len = this.noSplitCodePoints[k]!.length;
          for (let j = 0; j < len; j++) {
            cps.push(src[i + j]!);
            starts.push(chars.starts[i + j]!);
            ends.push(chars.ends[i + j]!);
          }
          i += len;
          continue;
        }
      }
      const lowered = lowerCodePoint(cp);
      if (typeof lowered === 'number') {
        cps.push(lowered);
        starts.push(chars.starts[i]!);
        ends.push(chars.ends[i]!);
      } else {
        for (const c of lowered) {
          cps.push(c);
          starts.push(chars.starts[i]!);
          ends.push(chars.ends[i]!);
        }
      }
      i++;
    }
    return { cps, starts, ends };
  }

  /** The regex alternation of the pre-lowering step: the first listed special token that matches. */
  private firstMatchingSpecial(cps: number[], i: number): number {
    for (let k = 0; k < this.noSplitCodePoints.length; k++) {
      const t = this.noSplitCodePoints[k]!;
      if (i + t.length > cps.length || t.length === 0) continue;
      let ok = true;
      for (let j = 0; j < t.length; j++) {
        if (cps[i + j] !== t[j]) {
          ok = false;
          break;
        }
      }
      if (ok) return k;
    }
    return -1;
  }

  /** HF `BertTokenizer._tokenize` on chars[from, to). */
  private tokenizeSegment(chars: AlignedChars, from: number, to: number, out: AlignedTokens): void {
    if (to <= from) return;
    if (this.basic_tokenizer !== null) {
      const words = this.basic_tokenizer.tokenizeAligned(chars, from, to, this.all_special_tokens);
      for (const w of words) {
        if (this.basic_tokenizer.never_split.has(w.text)) {
          out.tokens.push(w.text);
          out.starts.push(w.starts[0]!);
          out.ends.push(w.ends[w.ends.length - 1]!);
        } else {
          this.wordpiece_tokenizer.tokenizeWord(w, out);
        }
      }
      return;
    }
    // Without the basic tokenizer, WordPiece splits on (Python) whitespace only.
    let start = -1;
    for (let i = from; i <= to; i++) {
      const boundary = i === to || isPythonSpace(chars.cps[i]!);
      if (boundary) {
        if (start >= 0) {
          const cps = chars.cps.slice(start, i);
          this.wordpiece_tokenizer.tokenizeWord(
            { cps, starts: chars.starts.slice(start, i), ends: chars.ends.slice(start, i), text: codePointsToString(cps) },
            out,
          );
        }
        start = -1;
      } else if (start < 0) {
        start = i;
      }
    }
  }

  // ------------------------------------------------------------------------------------ encode

  /** HF `build_inputs_with_special_tokens`: [CLS] A [SEP] (B [SEP]). */
  buildInputsWithSpecialTokens(ids0: readonly number[], ids1?: readonly number[] | null): number[] {
    const cls = this.cls_token_id;
    const sep = this.sep_token_id;
    if (ids1 === undefined || ids1 === null) return [cls, ...ids0, sep];
    return [cls, ...ids0, sep, ...ids1, sep];
  }

  /** HF `create_token_type_ids_from_sequences`: 0 for [CLS] A [SEP], 1 for B [SEP]. */
  createTokenTypeIdsFromSequences(ids0: readonly number[], ids1?: readonly number[] | null): number[] {
    const first = new Array<number>(ids0.length + 2).fill(0);
    if (ids1 === undefined || ids1 === null) return first;
    return first.concat(new Array<number>(ids1.length + 1).fill(1));
  }

  /** HF `get_special_tokens_mask` for sequences without special tokens yet. */
  getSpecialTokensMask(ids0: readonly number[], ids1?: readonly number[] | null): number[] {
    const mask = [1, ...new Array<number>(ids0.length).fill(0), 1];
    if (ids1 === undefined || ids1 === null) return mask;
    return mask.concat(new Array<number>(ids1.length).fill(0), [1]);
  }

  /** HF `num_special_tokens_to_add`. */
  numSpecialTokensToAdd(pair = false): number {
    return pair ? 3 : 2;
  }

  /** HF `_get_padding_truncation_strategies`. */
  resolveStrategies(options: EncodeOptions = {}): ResolvedStrategies {
    const { padding = false, pad_to_multiple_of = null } = options;
    let truncation = options.truncation;
    let maxLength = options.max_length ?? null;
    if (maxLength !== null) checkNonNegativeInt(maxLength, 'max_length');
    if (pad_to_multiple_of !== null && pad_to_multiple_of !== undefined) {
      checkNonNegativeInt(pad_to_multiple_of, 'pad_to_multiple_of');
      if (pad_to_multiple_of === 0) throw new InputError('pad_to_multiple_of must be a positive integer, found 0; pass e.g. 8.');
    }
    // HF: max_length alone (no padding, truncation unset) turns truncation on.
    if (maxLength !== null && padding === false && (truncation === undefined || truncation === null)) truncation = 'longest_first';
    let paddingStrategy = resolvePadding(padding);
    let truncationStrategy = resolveTruncation(truncation);
    if (maxLength === null) {
      if (paddingStrategy === 'max_length') {
        if (this.model_max_length === null) paddingStrategy = 'do_not_pad';
        else maxLength = this.model_max_length;
      }
      if (truncationStrategy !== 'do_not_truncate') {
        if (this.model_max_length === null) truncationStrategy = 'do_not_truncate';
        else maxLength = this.model_max_length;
      }
    }
    if (paddingStrategy !== 'do_not_pad' && !this.vocab.has(this.pad_token)) {
      throw new TokenizerError(
        `padding needs the pad token "${this.pad_token}", which is not in the vocabulary; set pad_token to a token of vocab.txt or pass padding: false.`,
      );
    }
    if (
      truncationStrategy !== 'do_not_truncate' &&
      paddingStrategy !== 'do_not_pad' &&
      pad_to_multiple_of !== null &&
      pad_to_multiple_of !== undefined &&
      maxLength !== null &&
      maxLength % pad_to_multiple_of !== 0
    ) {
      throw new InputError(
        `truncation and padding are both on, but max_length (${maxLength}) is not a multiple of pad_to_multiple_of ` +
          `(${pad_to_multiple_of}); pass a max_length that is a multiple of it.`,
      );
    }
    return { padding: paddingStrategy, truncation: truncationStrategy, max_length: maxLength };
  }

  /**
   * Encodes one text, or one pair (HF `encode_plus` / `__call__` with strings). Returns
   * input_ids, token_type_ids and attention_mask, plus what the options ask for.
   */
  encode(text: string, textPair?: string | null, options: EncodeOptions = {}): Encoding {
    if (textPair !== undefined && textPair !== null && typeof textPair !== 'string') {
      throw new InputError(`textPair must be a string or null, found ${typeof textPair}.`);
    }
    const strategies = this.resolveStrategies(options);
    const first = this.encodeText(text);
    const second = textPair === undefined || textPair === null ? null : this.encodeText(textPair);
    const row = this.prepareForModel(first, second, strategies, options);
    if (strategies.padding !== 'do_not_pad' || options.return_attention_mask !== false) {
      this.padRow(row, strategies.max_length, strategies.padding, options.pad_to_multiple_of ?? null, options.return_attention_mask !== false);
    }
    if (options.return_length) row.length = row.input_ids.length;
    return row;
  }

  /**
   * Encodes a batch of texts, or of pairs (HF `batch_encode_plus` / `__call__` with lists). Rows
   * are prepared one by one, then padded together.
   */
  encodeBatch(texts: readonly string[], textPairs?: readonly string[] | null, options: EncodeOptions = {}): BatchEncoding {
    if (!Array.isArray(texts)) throw new InputError(`texts must be an array of strings, found ${typeof texts}; for one text use encode().`);
    if (textPairs !== undefined && textPairs !== null) {
      if (!Array.isArray(textPairs)) throw new InputError(`textPairs must be an array of strings or null, found ${typeof textPairs}.`);
      if (textPairs.length !== texts.length) {
        throw new InputError(
          `batch length of texts (${texts.length}) does not match batch length of textPairs (${textPairs.length}); pass one pair text per text.`,
        );
      }
    }
    const strategies = this.resolveStrategies(options);
    const rows: Row[] = texts.map((text, b) => {
      const first = this.encodeText(text);
      const pairText = textPairs?.[b];
      const second = pairText === undefined ? null : this.encodeText(pairText);
      return this.prepareForModel(first, second, strategies, options);
    });
    this.padBatch(rows, strategies, options.pad_to_multiple_of ?? null, options.return_attention_mask !== false);
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

  /** HF `pad` over a batch: 'longest' becomes 'max_length' to the longest row, then `_pad` per row. */
  private padBatch(rows: Row[], strategies: ResolvedStrategies, padToMultipleOf: number | null, returnAttentionMask: boolean): void {
    if (rows.length === 0) return;
    let { padding, max_length: maxLength } = strategies;
    if (padding === 'longest') {
      maxLength = Math.max(...rows.map((r) => r.input_ids.length));
      padding = 'max_length';
    }
    for (const row of rows) this.padRow(row, maxLength, padding, padToMultipleOf, returnAttentionMask);
  }

  /** HF `_pad` (right padding). */
  private padRow(row: Row, maxLength: number | null, padding: PaddingStrategy, padToMultipleOf: number | null, returnAttentionMask: boolean): void {
    const len = row.input_ids.length;
    if (padding === 'longest') maxLength = len;
    if (maxLength !== null && padToMultipleOf !== null && maxLength % padToMultipleOf !== 0) {
      maxLength = (Math.floor(maxLength / padToMultipleOf) + 1) * padToMultipleOf;
    }
    if (returnAttentionMask && row.attention_mask === undefined) row.attention_mask = new Array<number>(len).fill(1);
    if (padding === 'do_not_pad' || maxLength === null || len >= maxLength) return;
    const diff = maxLength - len;
    if (row.attention_mask !== undefined) row.attention_mask.push(...new Array<number>(diff).fill(0));
    row.token_type_ids.push(...new Array<number>(diff).fill(0));
    if (row.special_tokens_mask !== undefined) row.special_tokens_mask.push(...new Array<number>(diff).fill(1));
    if (row.offset_mapping !== undefined) for (let k = 0; k < diff; k++) row.offset_mapping.push([0, 0]);
    row.input_ids.push(...new Array<number>(diff).fill(this.pad_token_id));
  }

  /** HF `prepare_for_model` without padding: truncation, special tokens, type ids, masks. */
  private prepareForModel(first: TokenizedText, second: TokenizedText | null, strategies: ResolvedStrategies, options: EncodeOptions): Row {
    const pair = second !== null;
    const addSpecial = options.add_special_tokens !== false;
    const stride = options.stride ?? 0;
    checkNonNegativeInt(stride, 'stride');
    if (options.return_overflowing_tokens && strategies.truncation === 'longest_first' && pair) {
      throw new TokenizerError(
        "overflowing tokens cannot be returned for a pair of sequences with truncation 'longest_first'; " +
          "pass truncation: 'only_first' or 'only_second'.",
      );
    }
    const maxLength = strategies.max_length;
    const total = first.ids.length + (second?.ids.length ?? 0) + (addSpecial ? this.numSpecialTokensToAdd(pair) : 0);
    let keepFirst = first.ids.length;
    let keepSecond = second?.ids.length ?? 0;
    let overflowing: number[] = [];
    if (strategies.truncation !== 'do_not_truncate' && maxLength !== null && maxLength > 0 && total > maxLength) {
      const r = this.truncateSequences(first.ids, second?.ids ?? null, total - maxLength, strategies.truncation, stride);
      if (r.impossible !== null) {
        if (options.on_impossible_truncation !== 'keep') {
          throw new TokenizerError(`cannot truncate to max_length ${maxLength}: ${r.impossible}`);
        }
      } else {
        keepFirst = r.keepFirst;
        keepSecond = r.keepSecond;
        overflowing = r.overflowing;
      }
    }
    const ids0 = first.ids.slice(0, keepFirst);
    const ids1 = second === null ? null : second.ids.slice(0, keepSecond);
    const row: Row = addSpecial
      ? { input_ids: this.buildInputsWithSpecialTokens(ids0, ids1), token_type_ids: this.createTokenTypeIdsFromSequences(ids0, ids1) }
      : { input_ids: ids1 === null ? ids0 : ids0.concat(ids1), token_type_ids: new Array<number>(ids0.length + (ids1?.length ?? 0)).fill(0) };
    if (options.return_overflowing_tokens) {
      row.overflowing_tokens = overflowing;
      // As HF: total_len - max_length, negative when nothing had to go.
      row.num_truncated_tokens = maxLength === null ? 0 : total - maxLength;
    }
    if (options.return_special_tokens_mask) {
      row.special_tokens_mask = addSpecial ? this.getSpecialTokensMask(ids0, ids1) : new Array<number>(row.input_ids.length).fill(0);
    }
    if (options.return_offsets_mapping) {
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
      row.offset_mapping = offsets;
    }
    return row;
  }

  /**
   * HF `truncate_sequences` (right side): how many tokens of each sequence to keep, and the
   * overflow (the removed tokens plus `stride` kept ones before them). `impossible` explains a
   * request the strategy cannot satisfy; HF logs it and returns the input untruncated.
   */
  truncateSequences(
    ids: readonly number[],
    pairIds: readonly number[] | null,
    numTokensToRemove: number,
    strategy: TruncationStrategy,
    stride = 0,
  ): { keepFirst: number; keepSecond: number; overflowing: number[]; impossible: string | null } {
    let keepFirst = ids.length;
    let keepSecond = pairIds?.length ?? 0;
    if (numTokensToRemove <= 0 || strategy === 'do_not_truncate') return { keepFirst, keepSecond, overflowing: [], impossible: null };
    if (strategy === 'only_first' || (strategy === 'longest_first' && pairIds === null)) {
      if (ids.length > numTokensToRemove) {
        const window = Math.min(ids.length, stride + numTokensToRemove);
        return { keepFirst: ids.length - numTokensToRemove, keepSecond, overflowing: ids.slice(ids.length - window), impossible: null };
      }
      const which = pairIds === null ? 'the sequence' : 'the first sequence';
      const fix =
        strategy === 'only_first' ? "use truncation 'longest_first' or 'only_second', or a larger max_length" : 'use a larger max_length';
      return {
        keepFirst,
        keepSecond,
        overflowing: [],
        impossible: `${numTokensToRemove} tokens must be removed with truncation '${strategy}' but ${which} has only ${ids.length}; ${fix}.`,
      };
    }
    if (strategy === 'longest_first') {
      // pairIds !== null here. HF removes one token at a time from the longer (the second on ties).
      const second = pairIds!.length;
      if (numTokensToRemove > ids.length + second) {
        const impossible =
          `${numTokensToRemove} tokens must be removed with truncation 'longest_first' but the pair has only ` +
          `${ids.length + second} besides its 3 special tokens; use a max_length of at least 3.`;
        // HF's loop stops removing once both are empty.
        return { keepFirst: 0, keepSecond: 0, overflowing: [], impossible };
      }
      for (let k = 0; k < numTokensToRemove; k++) {
        if (keepFirst > keepSecond) keepFirst--;
        else keepSecond--;
      }
      return { keepFirst, keepSecond, overflowing: [], impossible: null };
    }
    // only_second
    if (pairIds === null) {
      // HF silently leaves a single sequence untruncated here.
      return {
        keepFirst,
        keepSecond,
        overflowing: [],
        impossible: `truncation 'only_second' needs a text pair, but only one text was given; use truncation 'longest_first' or 'only_first'.`,
      };
    }
    if (pairIds.length > numTokensToRemove) {
      const window = Math.min(pairIds.length, stride + numTokensToRemove);
      return { keepFirst, keepSecond: pairIds.length - numTokensToRemove, overflowing: pairIds.slice(pairIds.length - window), impossible: null };
    }
    return {
      keepFirst,
      keepSecond,
      overflowing: [],
      impossible:
        `${numTokensToRemove} tokens must be removed with truncation 'only_second' but the second sequence has only ` +
        `${pairIds.length}; use truncation 'longest_first' or 'only_first', or a larger max_length.`,
    };
  }

  // ------------------------------------------------------------------------------------ decode

  /** HF `convert_tokens_to_string`: joins WordPiece tokens, gluing "##" pieces to the previous one. */
  convertTokensToString(tokens: readonly string[]): string {
    return pyStrip(tokens.join(' ').replaceAll(' ##', ''));
  }

  /** HF `decode`. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (!Array.isArray(ids)) throw new InputError(`ids must be an array of token ids, found ${typeof ids}.`);
    const tokens = this.convertIdsToTokens(ids, options.skip_special_tokens ?? false);
    const text = tokens.length === 0 ? '' : this.convertTokensToString(tokens);
    const clean = options.clean_up_tokenization_spaces ?? this.clean_up_tokenization_spaces;
    return clean ? cleanUpTokenization(text) : text;
  }

  /** HF `batch_decode`. */
  batchDecode(sequences: readonly (readonly number[])[], options: DecodeOptions = {}): string[] {
    return sequences.map((ids) => this.decode(ids, options));
  }
}

