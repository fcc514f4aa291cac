/**
 * Reader evaluation as DPR's train_extractive_reader.py reports it: for each question the best
 * span's text is compared with every gold answer by `exact_match_score`; a question scores 1 if
 * any gold matches; EM is the mean over questions.
 */
import { InputError } from '../errors.js';
import { exactMatchAny } from './answer_match.js';

export interface ReaderPrediction {
  answers: readonly string[];
  /** The best span's text; null when the reader found none (counts as a miss). */
  prediction: string | null;
  /** Key in `per_question`; default the 0-based position. */
  key?: string;
}

export interface ReaderEvalResult {
  questions: number;
  exact_match: number;
  per_question: Record<string, { prediction: string | null; exact_match: boolean }>;
}

export function readerExactMatch(items: readonly ReaderPrediction[]): ReaderEvalResult {
  if (items.length === 0) throw new InputError('predictions: nothing to evaluate (no questions).');
  let hits = 0;
  const perQuestion: ReaderEvalResult['per_question'] = {};
  items.forEach((item, i) => {
    const em = item.prediction !== null && exactMatchAny(item.prediction, item.answers);
    if (em) hits++;
    perQuestion[item.key ?? String(i)] = { prediction: item.prediction, exact_match: em };
  });
  return { questions: items.length, exact_match: hits / items.length, per_question: perQuestion };
}
