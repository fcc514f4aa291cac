/**
 * Top-k retrieval accuracy as DPR computes it (`calculate_matches` in dpr/data/qa_validation.py):
 * a question counts towards every k at or beyond the rank of its first passage that holds an
 * answer, so top-k accuracy = share of questions whose first hit is within the first k passages.
 */
import { InputError } from '../errors.js';
import { hasAnswer, type AnswerMatch } from './answer_match.js';

export interface RankedForQuestion {
  answers: readonly string[];
  /** Retrieved passage texts, best first (DPR matches the passage text, not its title). */
  passages: readonly string[];
  /** Key in `first_hit_rank`; default the question's 0-based position. */
  key?: string;
}

export interface TopKAccuracyOptions {
  ks: readonly number[];
  match?: AnswerMatch;
  /** Called after each question (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** The result as `dpr eval retrieval --json` prints it. */
export interface TopKAccuracyResult {
  questions: number;
  top_k_accuracy: Record<string, number>;
  /** 1-based rank of the first passage holding an answer, or null when none does. */
  first_hit_rank: Record<string, number | null>;
}

/** Checks a list of k: positive integers; returns them sorted and deduplicated. */
export function checkKs(ks: readonly number[], name = 'ks'): number[] {
  if (ks.length === 0) throw new InputError(`${name} must list at least one k.`);
  for (const k of ks) {
    if (!Number.isInteger(k) || k <= 0) throw new InputError(`${name}: every k must be a positive integer; got ${k}.`);
  }
  return [...new Set(ks)].sort((a, b) => a - b);
}

/** 1-based rank of the first passage that holds an answer (DPR's `has_answer`), or null. */
export function firstHitRank(answers: readonly string[], passages: readonly string[], match: AnswerMatch = 'string'): number | null {
  const index = passages.findIndex((text) => hasAnswer(answers, text, { match }));
  return index < 0 ? null : index + 1;
}

export function topKAccuracy(questions: readonly RankedForQuestion[], options: TopKAccuracyOptions): TopKAccuracyResult {
  const ks = checkKs(options.ks, 'options.ks');
  if (questions.length === 0) throw new InputError('questions: nothing to evaluate (no questions).');
  const ranks: Record<string, number | null> = {};
  const hitsAt = new Map<number, number>(ks.map((k) => [k, 0]));
  questions.forEach((q, i) => {
    const rank = firstHitRank(q.answers, q.passages, options.match ?? 'string');
    const key = q.key ?? String(i);
    if (key in ranks) throw new InputError(`questions: the key ${JSON.stringify(key)} appears twice.`);
    ranks[key] = rank;
    if (rank !== null) for (const k of ks) if (rank <= k) hitsAt.set(k, hitsAt.get(k)! + 1);
    options.onProgress?.(i + 1, questions.length);
  });
  const accuracy: Record<string, number> = {};
  for (const k of ks) accuracy[String(k)] = hitsAt.get(k)! / questions.length;
  return { questions: questions.length, top_k_accuracy: accuracy, first_hit_rank: ranks };
}
