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
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  bias: Float32Array | null,
  batch: number,
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
  aBatched: boolean,
  bBatched: boolean,
  relu: boolean,
  threads: number,
): void;
export function info(): GemmInfo;
/**
 * y[i] = f(x[i]) for i < n, float32. op: 0 GELU (erf form, 0.5·x·(1 + erf(x/√2))), 1 GELU (tanh
 * form), 2 erf, 3 exp. Rows split over `threads` when each share has at least 64K elements.
 */
export function unary(op: 0 | 1 | 2 | 3, x: Float32Array, y: Float32Array, n: number, threads: number): void;
/**
 * y = LayerNorm(x + residual) over rows of `cols` (residual null: LayerNorm(x)), biased variance,
 * mean and variance accumulated in double; gamma and beta have `cols` entries.
 */
export function addLayerNorm(
  x: Float32Array,
  residual: Float32Array | null,
  gamma: Float32Array,
  beta: Float32Array,
  y: Float32Array,
  rows: number,
  cols: number,
  eps: number,
  threads: number,
): void;
