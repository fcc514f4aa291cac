/**
 * A bounded min-heap keeping the k best (score, index) pairs seen. Ties on score keep the lower
 * index, so results do not depend on the order blocks are scanned in.
 */
export interface Hit {
  /** Row of the passage in the index. */
  index: number;
  score: number;
}

/** true when a ranks below b (lower score, or equal score and higher index). */
function worse(aScore: number, aIndex: number, bScore: number, bIndex: number): boolean {
  return aScore < bScore || (aScore === bScore && aIndex > bIndex);
}

export class TopK {
  private readonly scores: Float64Array;
  private readonly indices: Int32Array;
  private size = 0;

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    this.scores = new Float64Array(k);
    this.indices = new Int32Array(k);
  }

  /** The score a candidate must beat to enter once the heap is full (-Infinity before). */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }

  push(score: number, index: number): void {
    if (Number.isNaN(score)) return;
    if (this.size < this.k) {
      let i = this.size++;
      // sift up
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(score, index, this.scores[parent]!, this.indices[parent]!)) break;
        this.scores[i] = this.scores[parent]!;
        this.indices[i] = this.indices[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.indices[i] = index;
      return;
    }
    if (!worse(this.scores[0]!, this.indices[0]!, score, index)) return;
    // replace the root and sift down
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.k) break;
      const right = left + 1;
      let child = left;
      if (right < this.k && worse(this.scores[right]!, this.indices[right]!, this.scores[left]!, this.indices[left]!)) child = right;
      if (!worse(this.scores[child]!, this.indices[child]!, score, index)) break;
      this.scores[i] = this.scores[child]!;
      this.indices[i] = this.indices[child]!;
      i = child;
    }
    this.scores[i] = score;
    this.indices[i] = index;
  }

  /** The hits, best first. */
  sorted(): Hit[] {
    const hits: Hit[] = [];
    for (let i = 0; i < this.size; i++) hits.push({ index: this.indices[i]!, score: this.scores[i]! });
    return hits.sort((a, b) => b.score - a.score || a.index - b.index);
  }
}
