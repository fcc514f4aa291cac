/**
 * How much of each text truncation can keep, decided before tokenizing, so that a text of any
 * length is tokenized only as far as its kept tokens (issue: a 50 MB line tokenized whole before
 * being cut to 512 tokens exhausted the heap).
 *
 * Each bound gives exactly the tokens, ids and offsets that tokenizing everything and then
 * truncating gives (test/tokenizers/bounded.test.ts checks it against that, for random texts):
 * - one text, 'longest_first' / 'only_first': keep = max_length − specials; reading keep + 1
 *   tokens shows whether anything must go.
 * - a pair, 'longest_first': HF removes one token at a time from the longer sequence until the
 *   pair fits; with both lengths capped at keep + 1 the removals end in the same place (a longer
 *   sequence first shrinks to the cap anyway), so each text is read to keep + 1 tokens.
 * - a pair, 'only_first' / 'only_second': the other text is tokenized whole (its length decides
 *   how much is kept), then the cut one to what is left + 1.
 * Tokenized whole (up to the tokenizer's max_chars): no truncation, return_overflowing_tokens
 * (the overflow and num_truncated_tokens are about the whole text), budgets of less than one
 * token (HF's "impossible" cases, whose messages count every token), and 'only_second' on one text.
 */
import type { ResolvedStrategies } from './strategies.js';
import type { EncodeOptions, TokenizedText } from './types.js';

/** Tokenizes one text, returning its first `limit` tokens (all of them for Infinity). */
export type TextEncoder = (text: string, limit: number) => TokenizedText;

export function encodeInputs(
  encode: TextEncoder,
  text: string,
  pair: string | null,
  strategies: ResolvedStrategies,
  options: EncodeOptions,
  numSpecialTokens: number,
): [TokenizedText, TokenizedText | null] {
  const maxLength = strategies.max_length;
  const strategy = strategies.truncation;
  const bounded = strategy !== 'do_not_truncate' && maxLength !== null && maxLength > 0 && !options.return_overflowing_tokens;
  const budget = bounded ? maxLength - numSpecialTokens : 0;
  if (budget < 1) return [encode(text, Infinity), pair === null ? null : encode(pair, Infinity)];
  if (pair === null) return [encode(text, strategy === 'only_second' ? Infinity : budget + 1), null];
  if (strategy === 'longest_first') return [encode(text, budget + 1), encode(pair, budget + 1)];
  if (strategy === 'only_first') {
    const second = encode(pair, Infinity);
    const left = budget - second.ids.length;
    return [encode(text, left >= 1 ? left + 1 : Infinity), second];
  }
  const first = encode(text, Infinity);
  const left = budget - first.ids.length;
  return [first, encode(pair, left >= 1 ? left + 1 : Infinity)];
}
