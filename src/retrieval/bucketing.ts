/**
 * Length bucketing: a batch is padded to its longest row, so batching passages of similar length
 * together wastes little compute on padding. Sorting is stable and depends only on the lengths,
 * so the same input always gives the same batches (the index build relies on this to be
 * byte-identical whether or not it was interrupted).
 */

export interface BucketOptions {
  /** Most rows in one batch. */
  batchSize: number;
  /** Most padded tokens (rows × longest row) in one batch; bounds memory for long passages. */
  maxTokens?: number;
}

/** Groups row indices into batches of similar length; every index appears exactly once. */
export function bucketByLength(lengths: readonly number[], options: BucketOptions): number[][] {
  const { batchSize } = options;
  const maxTokens = options.maxTokens ?? Infinity;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const length = lengths[i]!;
    const wouldBe = Math.max(longest, length) * (current.length + 1);
    if (current.length > 0 && (current.length >= batchSize || wouldBe > maxTokens)) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(i);
    longest = Math.max(longest, length);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
