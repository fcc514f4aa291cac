/**
 * Exact maximum-inner-product search: scores = Q · Eᵀ computed block by block over the stored
 * embedding matrix (so memory stays bounded whatever the index size), each query keeping its k
 * best in a heap. Every stored vector is scored; nothing is approximated.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureBackend } from '../backend.js';
import { InputError } from '../errors.js';
import { TopK, type Hit } from './top_k.js';

function nonFiniteScore(score: number, row: number, query: number): InputError {
  return new InputError(
    `the score of row ${row} for query ${query} is ${String(score)}, not a finite number: the index vectors or the query hold NaN or infinite values; rebuild the index, or check the model.`,
  );
}

/** Anything that can hand out rows of a [count, dim] float32 matrix (a DenseIndex, or memory). */
export interface VectorSource {
  readonly count: number;
  readonly dim: number;
  readVectors(start: number, rows: number): Promise<Float32Array>;
}

export interface SearchOptions {
  k: number;
  /** Stored rows scored per matMul; bounds memory to blockRows × (dim + queries) floats. */
  blockRows?: number;
}

/** Returns, per query, its min(k, count) best rows, best first (ties: lower row first). */
export async function searchVectors(source: VectorSource, queries: readonly Float32Array[], options: SearchOptions): Promise<Hit[][]> {
  const { dim, count } = source;
  if (queries.length === 0) return [];
  const k = Math.min(options.k, count);
  if (!Number.isInteger(options.k) || options.k < 1) throw new InputError(`k must be a positive integer, got ${options.k}.`);
  const blockRows = options.blockRows ?? 8192;
  queries.forEach((q, i) => {
    if (q.length !== dim) {
      throw new InputError(
        `query ${i} has ${q.length} values but the index holds vectors of ${dim}; search with the question encoder that matches the index's context encoder.`,
      );
    }
  });
  await ensureBackend();
  const flat = new Float32Array(queries.length * dim);
  queries.forEach((q, i) => flat.set(q, i * dim));
  // Queries as columns [d, nq]: scoring a block is then block · Qᵀ with no transposed operand,
  // which tfjs-backend-wasm runs through XNNPACK (~30 GFLOP/s) instead of its scalar
  // transposed-operand loop (~1 GFLOP/s).
  const nq = queries.length;
  const q = tf.tidy(() => tf.transpose(tf.tensor2d(flat, [nq, dim])));
  const heaps = queries.map(() => new TopK(k));
  try {
    for (let start = 0; start < count; start += blockRows) {
      const rows = Math.min(blockRows, count - start);
      const block = await source.readVectors(start, rows);
      // [rows, d] · [d, nq] -> [rows, nq]
      const scoresTensor = tf.tidy(() => tf.matMul(tf.tensor2d(block, [rows, dim]), q));
      const scores = (await scoresTensor.data()) as Float32Array;
      scoresTensor.dispose();
      heaps.forEach((heap, qi) => {
        for (let r = 0; r < rows; r++) {
          const s = scores[r * nq + qi]!;
          // A NaN fails every comparison and would silently drop the row: damage is refused instead.
          if (s >= heap.threshold && s !== Infinity) heap.push(s, start + r);
          else if (!(s < heap.threshold)) throw nonFiniteScore(s, start + r, qi);
        }
      });
    }
  } finally {
    q.dispose();
  }
  return heaps.map((h) => h.sorted());
}

/** A VectorSource over a row-major matrix in memory. */
export function memorySource(matrix: Float32Array, dim: number): VectorSource {
  if (matrix.length % dim !== 0) throw new RangeError(`matrix of ${matrix.length} values is not a whole number of ${dim}-value rows`);
  return {
    count: matrix.length / dim,
    dim,
    readVectors: async (start, rows) => matrix.subarray(start * dim, (start + rows) * dim),
  };
}

export type { Hit };
