/**
 * Element-wise comparison that reports the worst difference and where it is.
 */
import assert from 'node:assert/strict';

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** Printed in the failure message and in the returned report. */
  label?: string;
}

export interface CloseReport {
  maxAbsDiff: number;
  worstIndex: number;
  count: number;
}

export type NumericArray = ArrayLike<number>;

/** Flat index → "[i, j, k]" for a shape. */
export function formatIndex(index: number, shape?: number[]): string {
  if (shape === undefined || shape.length === 0) return `[${index}]`;
  const coords: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    coords.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `[${coords.join(', ')}]`;
}

/**
 * Asserts |actual - expected| <= atol + rtol·|expected| everywhere (NaN only matches NaN) and
 * returns the worst absolute difference. Lengths must agree.
 */
export function expectAllClose(
  actual: NumericArray,
  expected: NumericArray,
  options: CloseOptions & { shape?: number[] } = {},
): CloseReport {
  const { atol = 1e-4, rtol = 0, label = 'values', shape } = options;
  assert.equal(actual.length, expected.length, `${label}: length ${actual.length} != expected ${expected.length}`);
  let maxAbsDiff = 0;
  let worstIndex = -1;
  let firstBad = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a)) && firstBad < 0) firstBad = i;
      continue;
    }
    const diff = Math.abs(a - e);
    if (diff > maxAbsDiff || worstIndex < 0) {
      if (diff >= maxAbsDiff) {
        maxAbsDiff = diff;
        worstIndex = i;
      }
    }
    if (!(diff <= atol + rtol * Math.abs(e)) && firstBad < 0) firstBad = i;
  }
  if (firstBad >= 0) {
    const w = worstIndex >= 0 ? worstIndex : firstBad;
    assert.fail(
      `${label}: max |diff| ${maxAbsDiff} exceeds atol ${atol} + rtol ${rtol}; worst at ${formatIndex(w, shape)}: ` +
        `actual ${actual[w]} vs expected ${expected[w]} (first mismatch at ${formatIndex(firstBad, shape)}: ` +
        `${actual[firstBad]} vs ${expected[firstBad]})`,
    );
  }
  return { maxAbsDiff, worstIndex, count: expected.length };
}
