/**
 * DPR's two dev metrics (train_dense_encoder.py): `validate_average_rank` — every dev question
 * scored against every dev context (each question's positive and up to 30 + 30 of its negatives),
 * the 0-based rank of its positive averaged over questions — and `validate_nll` — the training loss
 * on dev batches, negatives unshuffled.
 */

/**
 * scores [nq, nc] (row-major), positives[i] = column of question i's positive. The rank is how many
 * contexts score strictly higher (DPR sorts with torch.sort; ties, which it orders arbitrarily, count
 * in the question's favour here).
 */
export function averageRank(scores: ArrayLike<number>, contexts: number, positives: readonly number[]): number {
  if (positives.length === 0) return 0;
  let total = 0;
  positives.forEach((positive, q) => {
    const gold = scores[q * contexts + positive]!;
    for (let c = 0; c < contexts; c++) if (scores[q * contexts + c]! > gold) total++;
  });
  return total / positives.length;
}
