/**
 * `evaluateRetrieval`: retrieve max(k) passages for every question of a QA set, in batches, through
 * any retriever (dense, BM25, hybrid, or results read from a file), and score DPR's top-k accuracy.
 */
import { InputError } from '../errors.js';
import type { AnswerMatch } from './answer_match.js';
import type { QaSample } from './qa_file.js';
import type { RetrievedPassage } from './retrieved_file.js';
import { checkKs, topKAccuracy, type RankedForQuestion, type TopKAccuracyResult } from './top_k_accuracy.js';

/** Returns, for each question, up to k passages, best first. */
export type Retriever = (questions: readonly string[], k: number) => Promise<RetrievedPassage[][]>;

export interface EvaluateRetrievalOptions {
  ks: readonly number[];
  match?: AnswerMatch;
  /** Questions handed to the retriever at once; default 64. */
  batchSize?: number;
  /** Called after each batch is retrieved and after each question is scored. */
  onProgress?: (event: { stage: 'retrieve' | 'match'; done: number; total: number }) => void;
}

export interface RetrievalEvaluation extends TopKAccuracyResult {
  /** What was retrieved, per question (for saving and re-evaluating without searching again). */
  retrieved: RetrievedPassage[][];
}

export async function evaluateRetrieval(
  qa: readonly QaSample[],
  retrieve: Retriever,
  options: EvaluateRetrievalOptions,
): Promise<RetrievalEvaluation> {
  const ks = checkKs(options.ks, 'options.ks');
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new InputError(`options.batchSize must be a positive integer; got ${batchSize}.`);
  const maxK = ks[ks.length - 1]!;
  const retrieved: RetrievedPassage[][] = [];
  for (let start = 0; start < qa.length; start += batchSize) {
    const batch = qa.slice(start, start + batchSize);
    const lists = await retrieve(
      batch.map((s) => s.question),
      maxK,
    );
    if (lists.length !== batch.length) throw new Error(`retriever returned ${lists.length} result lists for ${batch.length} questions`);
    retrieved.push(...lists);
    options.onProgress?.({ stage: 'retrieve', done: retrieved.length, total: qa.length });
  }
  const ranked: RankedForQuestion[] = qa.map((s, i) => {
    const r: RankedForQuestion = { answers: s.answers, passages: retrieved[i]!.map((p) => p.text) };
    if (s.id !== undefined) r.key = s.id;
    return r;
  });
  const result = topKAccuracy(ranked, {
    ks,
    ...(options.match ? { match: options.match } : {}),
    onProgress: (done, total) => options.onProgress?.({ stage: 'match', done, total }),
  });
  return { ...result, retrieved };
}
