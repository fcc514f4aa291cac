export interface GemmInfo {
  /** The kernel picked at load: 'avx512', 'avx2', or 'none' (then gemm() throws). */
  isa: 'avx512' | 'avx2' | 'none';
  hardwareConcurrency: number;
}
/**
 * c[batch, m, n] = op(a) · op(b) (+ bias per column) (relu), float32, row-major.
 * op(a) is a[m, k], or a[k, m] transposed when transposeA; likewise b. A batch dimension that is
 * not batched is broadcast.
 */
export function gemm(
  a: Float32Array, b: Float32Array, c: Float32Array, bias: Float32Array | null,
  batch: number, m: number, n: number, k: number,
  transposeA: boolean, transposeB: boolean, aBatched: boolean, bBatched: boolean,
  relu: boolean, threads: number,
): void;
export function info(): GemmInfo;
