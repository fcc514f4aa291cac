/** DPR's top-k definition: a question counts from the rank of its first hit on. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkKs, evaluateRetrieval, firstHitRank, topKAccuracy } from '../../src/eval/index.js';
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
    const got = topKAccuracy([{ answers: ['17\\d\\d'], passages: ['x', 'in 1776'] }], {
      ks: [1, 2],
      match: 'regex',
      onProgress: (d) => seen.push(d),
    });
    assert.deepEqual(got.top_k_accuracy, { '1': 0, '2': 1 });
    assert.deepEqual(seen, [1]);
  });
  test('firstHitRank is 1-based, null when absent', () => {
    assert.equal(firstHitRank(['b'], ['a', 'b']), 2);
    assert.equal(firstHitRank(['z'], ['a', 'b']), null);
  });
  test('bad k and duplicate keys are InputErrors naming the option', () => {
    for (const ks of [[0], [-1], [1.5], [], [Number.NaN]]) {
      assert.throws(
        () => topKAccuracy(questions, { ks }),
        (e: Error) => e instanceof InputError && /options\.ks/.test(e.message),
        String(ks),
      );
    }
    assert.throws(
      () =>
        topKAccuracy(
          [
            { answers: ['a'], passages: [], key: 'k' },
            { answers: ['a'], passages: [], key: 'k' },
          ],
          { ks: [1] },
        ),
      /appears twice/,
    );
    assert.deepEqual(checkKs([5, 1, 5]), [1, 5]);
  });
});

describe('evaluateRetrieval', () => {
  test('retrieves max(k) in batches through any retriever, then scores', async () => {
    const corpus = ['Paris is in France', 'Berlin is in Germany', 'Rome is in Italy'];
    const calls: number[][] = [];
    // A retriever that ranks passages by how many question words they share (then corpus order).
    const retrieve = async (questions: readonly string[], k: number) => {
      calls.push([questions.length, k]);
      return questions.map((q) => {
        const words = new Set(q.toLowerCase().split(' '));
        return corpus
          .map((text, row) => ({
            id: String(row),
            text,
            shared: text
              .toLowerCase()
              .split(' ')
              .filter((w) => words.has(w)).length,
          }))
          .sort((a, b) => b.shared - a.shared || Number(a.id) - Number(b.id))
          .slice(0, k)
          .map(({ id, text }) => ({ id, text }));
      });
    };
    const qa = [
      { question: 'capital in germany', answers: ['Berlin'] }, // Berlin passage ranks 1
      { question: 'where is italy', answers: ['Rome'] }, // "is" ties all, "italy" puts Rome first
      { question: 'nothing', answers: ['Paris'], id: 'q3' }, // corpus order: Paris at 1
      { question: 'zzz', answers: ['Madrid'] },
    ];
    const events: string[] = [];
    const got = await evaluateRetrieval(qa, retrieve, {
      ks: [1, 2],
      batchSize: 3,
      onProgress: (e) => events.push(`${e.stage}:${e.done}/${e.total}`),
    });
    assert.deepEqual(calls, [
      [3, 2],
      [1, 2],
    ]);
    assert.deepEqual(got.top_k_accuracy, { '1': 0.75, '2': 0.75 });
    assert.deepEqual(got.first_hit_rank, { '0': 1, '1': 1, q3: 1, '3': null });
    assert.equal(got.retrieved.length, 4);
    assert.deepEqual(
      events.filter((e) => e.startsWith('retrieve')),
      ['retrieve:3/4', 'retrieve:4/4'],
    );
  });
});
