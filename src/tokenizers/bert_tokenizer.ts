/**
 * Mirrors HF `BertTokenizer` (the slow, Python tokenizer of transformers 4.27): vocabulary,
 * special tokens, `tokenize`, `encode_plus` / `batch_encode_plus`, `decode`. The machinery it
 * shares with every HF tokenizer lives in its own files: special tokens that are never split
 * (special_tokens.ts), `_get_padding_truncation_strategies` (strategies.ts), `truncate_sequences`
 * (truncation.ts), `prepare_for_model` (prepare_for_model.ts), `pad` (padding.ts) and decoding
 * (decode.ts).
 *
 * Offsets (HF's `offset_mapping`, which only its fast tokenizers offer) come from carrying each
 * character's position in the input through every normalisation step.
 */
import { InputError, TokenizerError } from '../errors.js';
import { BasicTokenizer } from './basic_tokenizer.js';
import { cleanUpTokenization, wordPiecesToString } from './decode.js';
import { padBatch, padRow, type PadOptions } from './padding.js';
import { TokenPipeline } from './pipeline.js';
import { encodeInputs } from './bounded_inputs.js';
import { batchEncoding, checkBatchArguments, prepareForModel } from './prepare_for_model.js';
import type { TokenizerState } from './saved_files.js';
import { SpecialTokenMatcher } from './special_tokens.js';
import { checkNonNegativeInt, resolveStrategies, type ResolvedStrategies } from './strategies.js';
import { LARGE_INTEGER, readTokenizerDir } from './tokenizer_files.js';
import { truncateSequences, type TruncationResult } from './truncation.js';
import { splitPretrainedOptions, type PretrainedOptions } from '../hub/options.js';
import { resolvePretrained } from '../hub/resolve.js';
import { filesOf, TOKENIZER_FILES } from '../io/model_files.js';
import type {
  BatchEncoding,
  BertTokenizerOptions,
  DecodeOptions,
  EncodeOptions,
  Encoding,
  TokenizedText,
  TruncationStrategy,
} from './types.js';
import { WordpieceTokenizer, type AlignedTokens } from './wordpiece.js';

/** Default of BertTokenizerOptions.max_chars: about 200,000 words of English, far beyond any model's max_length. */
export const DEFAULT_MAX_CHARS = 1_000_000;

export type Vocab = ReadonlyMap<string, number> | readonly string[];

const DEFAULT_SPECIALS = {
  unk_token: '[UNK]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  cls_token: '[CLS]',
  mask_token: '[MASK]',
} as const;

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
  /** The longest text (in UTF-16 units) tokenized whole; see BertTokenizerOptions.max_chars. */
  readonly max_chars: number;
  readonly basic_tokenizer: BasicTokenizer | null;
  readonly wordpiece_tokenizer: WordpieceTokenizer;

  /** Text to aligned WordPiece tokens (special tokens, basic tokenizer, WordPiece). */
  private readonly pipeline: TokenPipeline;
  private readonly allSpecialIds: Set<number>;
  /** Constructor settings kept only to be saved (the basic tokenizer is absent when do_basic_tokenize is false). */
  private readonly settings: Pick<TokenizerState, 'never_split' | 'tokenize_chinese_chars' | 'strip_accents'>;

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
    this.max_chars = options.max_chars ?? DEFAULT_MAX_CHARS;
    if (!(this.max_chars === Infinity || (Number.isInteger(this.max_chars) && this.max_chars > 0))) {
      throw new InputError(
        `max_chars must be a positive integer or Infinity, found ${JSON.stringify(options.max_chars)}; pass e.g. max_chars: 1_000_000.`,
      );
    }

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

    this.settings = {
      never_split: options.never_split ?? null,
      tokenize_chinese_chars: options.tokenize_chinese_chars ?? true,
      strip_accents: options.strip_accents ?? null,
    };
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

    const lowerFirst = this.do_basic_tokenize && this.do_lower_case;
    this.pipeline = new TokenPipeline(
      this.basic_tokenizer,
      this.wordpiece_tokenizer,
      new SpecialTokenMatcher(this.all_special_tokens),
      lowerFirst,
    );
    this.allSpecialIds = new Set(this.all_special_ids);
  }

  /**
   * HF `is_fast`. The fast classes (…Fast) read `tokenizer.json` first and save it too; slow and
   * fast share one implementation, which gives the Rust tokenizer's tokens and offsets.
   */
  static readonly is_fast: boolean = false;

  get is_fast(): boolean {
    return (this.constructor as typeof BertTokenizer).is_fast;
  }

  /**
   * Loads a tokenizer directory (vocab.txt + tokenizer_config.json + special_tokens_map.json, or
   * tokenizer.json), or a hub id such as "facebook/dpr-question_encoder-single-nq-base" through
   * the HuggingFace cache (the hub options — revision, cacheDir, localFilesOnly, token,
   * onProgress, endpoint — are in PretrainedOptions). The other `options` override what the files
   * say. A fast class prefers tokenizer.json and falls back to vocab.txt; a slow one the reverse.
   */
  static async fromPretrained<T extends BertTokenizer>(
    this: { new (vocab: Vocab, options?: BertTokenizerOptions): T; readonly is_fast: boolean },
    nameOrDir: string,
    allOptions: BertTokenizerOptions & PretrainedOptions = {},
  ): Promise<T> {
    const { hub, rest: options } = splitPretrainedOptions(allOptions);
    // A fast tokenizer can do without vocab.txt when the repo has tokenizer.json.
    const files = this.is_fast ? { required: [], optional: filesOf(TOKENIZER_FILES) } : TOKENIZER_FILES;
    const dir = await resolvePretrained(nameOrDir, { ...hub, files });
    const read = await readTokenizerDir(dir, this.is_fast ? 'tokenizer.json' : 'vocab.txt');
    return new this(read.vocab, { ...read.options, ...options });
  }

  /**
   * HF `save_pretrained(dir)`: vocab.txt, tokenizer_config.json, special_tokens_map.json (and
   * tokenizer.json for a fast tokenizer), written atomically. Returns the paths written.
   */
  async savePretrained(dir: string): Promise<string[]> {
    // Loaded on demand: writing files is Node-only, the tokenizer itself is not.
    const { saveTokenizer } = await import('./save_pretrained.js');
    return saveTokenizer(this, this.settings, dir);
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

  /**
   * Ids of one text without special tokens, with the UTF-16 range of the text each came from.
   * `limit`: only the first `limit` tokens are wanted, and only as much text as they need is read.
   */
  encodeText(text: string, limit = Infinity): TokenizedText {
    const { tokens, starts, ends } = this.tokenizeAligned(text, limit);
    const unk = this.unk_token_id;
    const ids = new Array<number>(tokens.length);
    for (let i = 0; i < tokens.length; i++) ids[i] = this.vocab.get(tokens[i]!) ?? unk;
    return { ids, starts, ends };
  }

  /** Tokens of one text (the first `limit` of them) and, per token, its UTF-16 range in `text`. */
  tokenizeAligned(text: string, limit = Infinity): AlignedTokens {
    if (typeof text !== 'string') {
      throw new InputError(`text must be a string, found ${text === null ? 'null' : typeof text}; pass the text to tokenize.`);
    }
    return this.pipeline.tokenizeUpTo(text, limit, this.max_chars);
  }

  /** The ids of a text (and pair) that truncation can keep, reading no more of either than that. */
  private encodeInputs(
    text: string,
    textPair: string | null,
    strategies: ResolvedStrategies,
    options: EncodeOptions,
  ): [TokenizedText, TokenizedText | null] {
    const numSpecial = options.add_special_tokens === false ? 0 : this.numSpecialTokensToAdd(textPair !== null);
    return encodeInputs((t, limit) => this.encodeText(t, limit), text, textPair, strategies, options, numSpecial);
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
    return resolveStrategies(
      { model_max_length: this.model_max_length, pad_token: this.pad_token, hasPadToken: this.vocab.has(this.pad_token) },
      options,
    );
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
    const [first, second] = this.encodeInputs(text, textPair ?? null, strategies, options);
    const row = prepareForModel(this, first, second, strategies, options);
    if (strategies.padding !== 'do_not_pad' || options.return_attention_mask !== false) padRow(row, this.padOptions(strategies, options));
    if (options.return_length) row.length = row.input_ids.length;
    return row;
  }

  /**
   * Encodes a batch of texts, or of pairs (HF `batch_encode_plus` / `__call__` with lists). Rows
   * are prepared one by one, then padded together.
   */
  encodeBatch(texts: readonly string[], textPairs?: readonly string[] | null, options: EncodeOptions = {}): BatchEncoding {
    checkBatchArguments(texts, textPairs);
    const strategies = this.resolveStrategies(options);
    const rows: Encoding[] = texts.map((text, b) => {
      const [first, second] = this.encodeInputs(text, textPairs?.[b] ?? null, strategies, options);
      return prepareForModel(this, first, second, strategies, options);
    });
    padBatch(rows, this.padOptions(strategies, options));
    return batchEncoding(rows, options);
  }

  private padOptions(strategies: ResolvedStrategies, options: EncodeOptions): PadOptions {
    return {
      padding: strategies.padding,
      max_length: strategies.max_length,
      pad_to_multiple_of: options.pad_to_multiple_of ?? null,
      return_attention_mask: options.return_attention_mask !== false,
      pad_token_id: this.pad_token_id,
    };
  }

  /** HF `truncate_sequences` (right side); see truncation.ts. */
  truncateSequences(
    ids: readonly number[],
    pairIds: readonly number[] | null,
    numTokensToRemove: number,
    strategy: TruncationStrategy,
    stride = 0,
  ): TruncationResult {
    return truncateSequences(ids, pairIds, numTokensToRemove, strategy, stride);
  }

  // ------------------------------------------------------------------------------------ decode

  /** HF `convert_tokens_to_string`: joins WordPiece tokens, gluing "##" pieces to the previous one. */
  convertTokensToString(tokens: readonly string[]): string {
    return wordPiecesToString(tokens);
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

/** HF `BertTokenizerFast`: reads and writes tokenizer.json; tokens and offsets equal the Rust tokenizer's. */
export class BertTokenizerFast extends BertTokenizer {
  static override readonly is_fast: boolean = true;
}
