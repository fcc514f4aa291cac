import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAllClose, formatIndex } from './helpers/all_close.js';

test('expectAllClose passes on values within tolerance and reports the worst difference', () => {
  const report = expectAllClose([1, 2, 3.00005], [1, 2, 3], { atol: 1e-4 });
  assert.ok(Math.abs(report.maxAbsDiff - 0.00005) < 1e-9);
  assert.equal(report.worstIndex, 2);
});

test('expectAllClose fails on a real difference and names where it is', () => {
  assert.throws(
    () => expectAllClose([0, 0, 0, 0, 0, 0.5], [0, 0, 0, 0, 0, 0], { atol: 1e-4, label: 'hidden', shape: [2, 3] }),
    (e: Error) => /hidden: max \|diff\| 0\.5/.test(e.message) && e.message.includes('[1, 2]'),
  );
});

test('expectAllClose fails on NaN against a number, and on length mismatch', () => {
  assert.throws(() => expectAllClose([NaN], [1]));
  assert.throws(() => expectAllClose([1, 2], [1]), /length/);
});

test('formatIndex turns flat indices into coordinates', () => {
  assert.equal(formatIndex(5, [2, 3]), '[1, 2]');
  assert.equal(formatIndex(0, [4]), '[0]');
});
