/**
 * Dense + sparse score fusion, exactly Pyserini's `HybridSearcher._hybrid_results`
 * (pyserini/search/hybrid/_searcher.py). Over the union of the two hit lists, a passage missing
 * from one list takes that list's lowest score; with `normalization` each score becomes
 * (s − (min + max) / 2) / (max − min) within its list; then
 *   score = α · sparse + dense            (default; Pyserini's NQ run uses α = 1.3)
 *   score = sparse + α · dense            (weightOnDense; the DPR paper's BM25 + λ·sim, λ = 1.1)
 * DPR never released its fusion code (facebookresearch/DPR issue 84); the paper reranks the union
 * of both top-2000 lists with BM25 + 1.1·sim, which is the second form.
 */
import { InputError } from '../errors.js';

export interface ScoredHit {
  id: string;
  score: number;
}

export interface FusionOptions {
  /** Weight α; default 1.3 (Pyserini's NQ setting). */
  alpha?: number;
  /** Pyserini's --normalization: centre and scale each list by its min/max. Default false. */
  normalization?: boolean;
  /** Put α on the dense score instead of the sparse one (DPR paper's form). Default false. */
  weightOnDense?: boolean;
  /** How many fused hits to return; default all. */
  k?: number;
}

export const PYSERINI_NQ_FUSION: Readonly<FusionOptions> = { alpha: 1.3, normalization: false, weightOnDense: false };
export const DPR_PAPER_FUSION: Readonly<FusionOptions> = { alpha: 1.1, normalization: false, weightOnDense: true };

export interface FusedHit extends ScoredHit {
  dense: number | null;
  sparse: number | null;
}

function range(hits: readonly ScoredHit[]): { min: number; max: number } {
  if (hits.length === 0) return { min: 0, max: 1 };
  let min = Infinity;
  let max = -Infinity;
  for (const h of hits) {
    min = Math.min(min, h.score);
    max = Math.max(max, h.score);
  }
  return { min, max };
}

export function fuseHybrid(dense: readonly ScoredHit[], sparse: readonly ScoredHit[], options: FusionOptions = {}): FusedHit[] {
  const { alpha = 1.3, normalization = false, weightOnDense = false, k } = options;
  if (!Number.isFinite(alpha)) throw new InputError(`options.alpha must be a finite number; got ${alpha}.`);
  const denseById = new Map(dense.map((h) => [h.id, h.score]));
  const sparseById = new Map(sparse.map((h) => [h.id, h.score]));
  const d = range(dense);
  const s = range(sparse);
  // Pyserini divides by (max − min) unguarded; a list of equal scores would give NaN there, so
  // here it counts as spread 1 (every passage of that list then scores the same, which is what NaN-free means).
  const norm = (x: number, r: { min: number; max: number }) => (x - (r.min + r.max) / 2) / (r.max - r.min || 1);
  const fused: FusedHit[] = [];
  const order = new Map<string, number>(); // tie-break: first seen (dense list, then sparse)
  for (const id of [...denseById.keys(), ...sparseById.keys()]) {
    if (order.has(id)) continue;
    order.set(id, order.size);
    let denseScore = denseById.get(id) ?? d.min;
    let sparseScore = sparseById.get(id) ?? s.min;
    if (normalization) {
      denseScore = norm(denseScore, d);
      sparseScore = norm(sparseScore, s);
    }
    const score = weightOnDense ? sparseScore + alpha * denseScore : alpha * sparseScore + denseScore;
    fused.push({ id, score, dense: denseById.get(id) ?? null, sparse: sparseById.get(id) ?? null });
  }
  fused.sort((a, b) => b.score - a.score || order.get(a.id)! - order.get(b.id)!);
  return k === undefined ? fused : fused.slice(0, k);
}
