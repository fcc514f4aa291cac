/**
 * Strided views, as torch stores a tensor in its storage (shape, stride, offset, counted in
 * elements): whether a view is contiguous, how far it reaches, and copying one out row-major.
 */

/** Whether a view is row-major and dense (size-1 dimensions may have any stride). */
export function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/** The largest element index a non-empty view touches, relative to its offset. */
export function maxIndex(shape: number[], stride: number[]): number {
  let m = 0;
  for (let d = 0; d < shape.length; d++) m += (shape[d]! - 1) * stride[d]!;
  return m;
}

/** Copies a strided view out of `src` (which starts at the view's first element) into row-major order. */
export function gather(src: Buffer, shape: number[], stride: number[], es: number): Buffer {
  const numel = shape.reduce((a, b) => a * b, 1);
  const out = Buffer.allocUnsafe(numel * es);
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const innerStride = stride[rank - 1]!;
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let o = 0;
  for (;;) {
    let s = 0;
    for (let d = 0; d < rank - 1; d++) s += index[d]! * stride[d]!;
    if (innerStride === 1) {
      src.copy(out, o, s * es, (s + inner) * es);
      o += inner * es;
    } else {
      for (let i = 0; i < inner; i++, o += es) src.copy(out, o, (s + i * innerStride) * es, (s + i * innerStride + 1) * es);
    }
    let d = rank - 2;
    while (d >= 0) {
      index[d]! += 1;
      if (index[d]! < shape[d]!) break;
      index[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  return out;
}
