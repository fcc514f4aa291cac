/**
 * HF `PreTrainedTokenizerBase._get_padding_truncation_strategies`: what a call's `padding`,
 * `truncation`, `max_length` and `pad_to_multiple_of` resolve to, given the tokenizer's
 * model_max_length. Every option is checked here, once, before any text is tokenized.
 */
import { InputError, TokenizerError } from '../errors.js';
import type { EncodeOptions, PaddingOption, PaddingStrategy, TruncationOption, TruncationStrategy } from './types.js';

/** What `_get_padding_truncation_strategies` resolves a call's options to. */
export interface ResolvedStrategies {
  padding: PaddingStrategy;
  truncation: TruncationStrategy;
  max_length: number | null;
}

/** What the resolution needs to know about the tokenizer. */
export interface StrategyContext {
  /** null when no limit is known (HF's VERY_LARGE_INTEGER). */
  readonly model_max_length: number | null;
  readonly pad_token: string;
  /** Whether the pad token is in the vocabulary (padding needs it). */
  readonly hasPadToken: boolean;
}

export function checkNonNegativeInt(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InputError(`${name} must be a non-negative integer, found ${JSON.stringify(value)}; pass e.g. ${name}: 512.`);
  }
}

function resolvePadding(padding: PaddingOption | undefined): PaddingStrategy {
  if (padding === undefined || padding === false || padding === 'do_not_pad') return 'do_not_pad';
  if (padding === true || padding === 'longest') return 'longest';
  if (padding === 'max_length') return 'max_length';
  throw new InputError(`padding must be true, false, 'longest', 'max_length' or 'do_not_pad', found ${JSON.stringify(padding)}.`);
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

function checkPadToMultipleOf(padToMultipleOf: number | null | undefined): void {
  if (padToMultipleOf === null || padToMultipleOf === undefined) return;
  checkNonNegativeInt(padToMultipleOf, 'pad_to_multiple_of');
  if (padToMultipleOf === 0) throw new InputError('pad_to_multiple_of must be a positive integer, found 0; pass e.g. 8.');
}

/** HF `_get_padding_truncation_strategies`. */
export function resolveStrategies(tokenizer: StrategyContext, options: EncodeOptions = {}): ResolvedStrategies {
  const { padding = false, pad_to_multiple_of = null } = options;
  let truncation = options.truncation;
  let maxLength = options.max_length ?? null;
  if (maxLength !== null) checkNonNegativeInt(maxLength, 'max_length');
  checkPadToMultipleOf(pad_to_multiple_of);
  // HF: max_length alone (no padding, truncation unset) turns truncation on.
  if (maxLength !== null && padding === false && (truncation === undefined || truncation === null)) truncation = 'longest_first';
  let paddingStrategy = resolvePadding(padding);
  let truncationStrategy = resolveTruncation(truncation);
  if (maxLength === null) {
    if (paddingStrategy === 'max_length') {
      if (tokenizer.model_max_length === null) paddingStrategy = 'do_not_pad';
      else maxLength = tokenizer.model_max_length;
    }
    if (truncationStrategy !== 'do_not_truncate') {
      if (tokenizer.model_max_length === null) truncationStrategy = 'do_not_truncate';
      else maxLength = tokenizer.model_max_length;
    }
  }
  if (paddingStrategy !== 'do_not_pad' && !tokenizer.hasPadToken) {
    throw new TokenizerError(
      `padding needs the pad token "${tokenizer.pad_token}", which is not in the vocabulary; set pad_token to a token of vocab.txt or pass padding: false.`,
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
