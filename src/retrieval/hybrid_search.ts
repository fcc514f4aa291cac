/**
 * Hybrid questions search: the dense index's and the BM25 index's top `depth` passages for each
 * question, fused by hybrid.ts (Pyserini's hybrid searcher), best k returned with their text.
 */
import type { Bm25Index } from './bm25_index.js';
import type { LoadedEncoder } from './encoders.js';
import { fuseHybrid, PYSERINI_NQ_FUSION, type FusionOptions } from './hybrid.js';
import type { DenseIndex } from './index_format.js';
import { searchQuestions, type Question, type SearchHit } from './question_search.js';

/** Pyserini's hybrid runs take 1000 hits from each side before fusing. */
export const DEFAULT_HYBRID_DEPTH = 1000;

export interface HybridSearchOptions {
  /** Hits taken from each of the dense and BM25 lists before fusing; default max(k, 1000). */
  depth?: number;
  fusion?: FusionOptions;
}

export interface HybridHit extends SearchHit {
  /** The dense (inner-product) and BM25 scores behind the fused `score`; null where absent from that list. */
  dense: number | null;
  sparse: number | null;
}

export async function searchQuestionsHybrid(
  encoder: LoadedEncoder,
  index: DenseIndex,
  bm25: Bm25Index,
  questions: Question[],
  k: number,
  batchSize: number,
  options: HybridSearchOptions = {},
): Promise<HybridHit[][]> {
  const depth = Math.min(index.count, Math.max(k, options.depth ?? DEFAULT_HYBRID_DEPTH));
  const denseLists = await searchQuestions(encoder, index, questions, depth, batchSize);
  return Promise.all(
    questions.map(async (q, qi) => {
      const dense = denseLists[qi]!;
      const sparse = bm25.search(q.text, depth);
      const passages = new Map<string, SearchHit | number>(sparse.map((h) => [h.id, h.row]));
      for (const h of dense) passages.set(String(h.id), h);
      const fused = fuseHybrid(
        dense.map((h) => ({ id: String(h.id), score: h.score })),
        sparse,
        { ...PYSERINI_NQ_FUSION, ...options.fusion, k },
      );
      return Promise.all(
        fused.map(async (f) => {
          const known = passages.get(f.id)!;
          const passage = typeof known === 'number' ? await index.passage(known) : known;
          return { id: passage.id, title: passage.title, text: passage.text, score: f.score, dense: f.dense, sparse: f.sparse };
        }),
      );
    }),
  );
}
