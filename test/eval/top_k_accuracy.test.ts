/** DPR's top-k definition: a question counts from the rank of its first hit on. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkKs, firstHitRank, topKAccuracy } from '../../src/eval/index.js';
import { InputError } from '../../src/errors.js';

describe('topKAccuracy', () => {
  const questions = [
    { answers: ['Paris'], passages: ['Paris is in France', 'nothing', 'Paris again'] }, // rank 1
    { answers: ['1776'], passages: ['no', 'no', 'signed in 1776'] }, // rank 3
    { answers: ['Hugo'], passages: ['no', 'no', 'no'] }, // never
    { answers: ['x', 'Berlin'], passages: ['no', 'berlin wall', 'no'], key: 'q-berlin' }, // rank 2
  ];
  test('hand-computed table: ranks 1, 3, none, 2', () => {
    const got = topKAccuracy(questions, { ks: [3, 1, 2, 100] });
    assert.deepEqual(got, {
      questions: 4,
      top_k_accuracy: { '1': 0.25, '2': 0.5, '3': 0.75, '100': 0.75 },
      first_hit_rank: { '0': 1, '1': 3, '2': null, 'q-berlin': 2 },
    });
  });
  test('regex matching and progress', () => {
    const seen: number[] = [];
    const got = topKAccuracy([{ answers: ['17\\d\\d'], passages: ['x', 'in 1776'] }], { ks: [1, 2], match: 'regex', onProgress: (d) => seen.push(d) });
    assert.deepEqual(got.top_k_accuracy, { '1': 0, '2': 1 });
    assert.deepEqual(seen, [1]);
  });
  test('firstHitRank is 1-based, null when absent', () => {
    assert.equal(firstHitRank(['b'], ['a', 'b']), 2);
    assert.equal(firstHitRank(['z'], ['a', 'b']), null);
  });
  test('bad k and duplicate keys are InputErrors naming the option', () => {
    for (const ks of [[0], [-1], [1.5], [], [Number.NaN]]) {
      assert.throws(() => topKAccuracy(questions, { ks }), (e: Error) => e instanceof InputError && /options\.ks/.test(e.message), String(ks));
    }
    assert.throws(() => topKAccuracy([{ answers: ['a'], passages: [], key: 'k' }, { answers: ['a'], passages: [], key: 'k' }], { ks: [1] }), /appears twice/);
    assert.deepEqual(checkKs([5, 1, 5]), [1, 5]);
  });
});
