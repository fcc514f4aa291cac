/**
 * HF `PreTrainedTokenizerBase.truncate_sequences` (right side), as counts: how many tokens of each
 * sequence to keep, and the overflow. HF logs an impossible request and returns the input
 * untruncated; here `impossible` explains it, and the caller decides (error, or HF's output).
 */
import type { TruncationStrategy } from './types.js';

export interface TruncationResult {
  keepFirst: number;
  keepSecond: number;
  /** The removed tokens plus `stride` kept ones before them (one-sided strategies only). */
  overflowing: number[];
  /** Why the strategy cannot reach the requested length, or null. */
  impossible: string | null;
}

/** only_first, or longest_first on a single sequence: cut the first sequence. */
function truncateFirst(
  ids: readonly number[],
  hasPair: boolean,
  keepSecond: number,
  toRemove: number,
  strategy: TruncationStrategy,
  stride: number,
): TruncationResult {
  if (ids.length > toRemove) {
    const window = Math.min(ids.length, stride + toRemove);
    return { keepFirst: ids.length - toRemove, keepSecond, overflowing: ids.slice(ids.length - window), impossible: null };
  }
  const which = hasPair ? 'the first sequence' : 'the sequence';
  const fix =
    strategy === 'only_first' ? "use truncation 'longest_first' or 'only_second', or a larger max_length" : 'use a larger max_length';
  return {
    keepFirst: ids.length,
    keepSecond,
    overflowing: [],
    impossible: `${toRemove} tokens must be removed with truncation '${strategy}' but ${which} has only ${ids.length}; ${fix}.`,
  };
}

/** longest_first on a pair: HF removes one token at a time from the longer (the second on ties). */
function truncateLongestFirst(first: number, second: number, toRemove: number): TruncationResult {
  if (toRemove > first + second) {
    const impossible =
      `${toRemove} tokens must be removed with truncation 'longest_first' but the pair has only ` +
      `${first + second} besides its 3 special tokens; use a max_length of at least 3.`;
    // HF's loop stops removing once both are empty.
    return { keepFirst: 0, keepSecond: 0, overflowing: [], impossible };
  }
  let keepFirst = first;
  let keepSecond = second;
  for (let k = 0; k < toRemove; k++) {
    if (keepFirst > keepSecond) keepFirst--;
    else keepSecond--;
  }
  return { keepFirst, keepSecond, overflowing: [], impossible: null };
}

/** only_second: cut the second sequence. */
function truncateSecond(ids: readonly number[], pairIds: readonly number[] | null, toRemove: number, stride: number): TruncationResult {
  const keepFirst = ids.length;
  if (pairIds === null) {
    // HF silently leaves a single sequence untruncated here.
    return {
      keepFirst,
      keepSecond: 0,
      overflowing: [],
      impossible: `truncation 'only_second' needs a text pair, but only one text was given; use truncation 'longest_first' or 'only_first'.`,
    };
  }
  if (pairIds.length > toRemove) {
    const window = Math.min(pairIds.length, stride + toRemove);
    return { keepFirst, keepSecond: pairIds.length - toRemove, overflowing: pairIds.slice(pairIds.length - window), impossible: null };
  }
  return {
    keepFirst,
    keepSecond: pairIds.length,
    overflowing: [],
    impossible:
      `${toRemove} tokens must be removed with truncation 'only_second' but the second sequence has only ` +
      `${pairIds.length}; use truncation 'longest_first' or 'only_first', or a larger max_length.`,
  };
}

/** HF `truncate_sequences`. */
export function truncateSequences(
  ids: readonly number[],
  pairIds: readonly number[] | null,
  numTokensToRemove: number,
  strategy: TruncationStrategy,
  stride = 0,
): TruncationResult {
  const keepSecond = pairIds?.length ?? 0;
  if (numTokensToRemove <= 0 || strategy === 'do_not_truncate')
    return { keepFirst: ids.length, keepSecond, overflowing: [], impossible: null };
  if (strategy === 'only_first' || (strategy === 'longest_first' && pairIds === null)) {
    return truncateFirst(ids, pairIds !== null, keepSecond, numTokensToRemove, strategy, stride);
  }
  if (strategy === 'longest_first') return truncateLongestFirst(ids.length, keepSecond, numTokensToRemove);
  return truncateSecond(ids, pairIds, numTokensToRemove, stride);
}
