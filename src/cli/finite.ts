/**
 * Scores are printed only when they are numbers: a NaN or an infinity (from damaged index vectors
 * or model weights) would print as `Infinity` for people and `null` in JSON and rank silently
 * wrong, so the command refuses instead, naming where the value came from.
 */
import { InputError } from '../errors.js';

/** Throws InputError unless every value of `scores` is finite; `what` names the result, `fix` the remedy. */
export function requireFiniteScores(scores: Record<string, number>, what: string, fix: string): void {
  for (const [name, value] of Object.entries(scores)) {
    if (!Number.isFinite(value)) throw new InputError(`the ${name} of ${what} is ${String(value)}, not a finite number; ${fix}`);
  }
}

export const INDEX_DAMAGED_FIX =
  'the index vectors or the model weights hold non-finite values: rebuild the index with `dpr index build --overwrite`, or check the model.';
export const READER_DAMAGED_FIX = "the reader's weights or inputs hold non-finite values: check the reader model.";

/** Human output: the special tokens HF's decode keeps inside a span that crosses the question, title and text ("[SEP]"), dropped. */
export function cleanAnswerText(text: string): string {
  return text
    .replace(/\s*\[(?:SEP|CLS|PAD)\]\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
