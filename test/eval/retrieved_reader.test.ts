/** Results files fed back to evaluation (both shapes), and reader exact match. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseQaText, parseRetrievedText, rankedFromRetrieved, readerExactMatch, topKAccuracy } from '../../src/eval/index.js';
import { InputError } from '../../src/errors.js';

const searchJsonl = [
  {
    id: 1,
    question: 'who wrote les misérables',
    hits: [
      { id: '3', score: 9, title: 't', text: 'nothing' },
      { id: '1', score: 8, title: 'LM', text: 'by Victor Hugo' },
    ],
  },
  { id: 2, question: 'capital of france', hits: [{ id: '2', score: 7, title: 'P', text: 'Paris is the capital' }] },
]
  .map((o) => JSON.stringify(o))
  .join('\n');

describe('parseRetrievedText / rankedFromRetrieved', () => {
  test('`dpr search --json` lines joined with the QA file in order', () => {
    const qa = parseQaText("who wrote les misérables\t['Victor Hugo']\ncapital of france\t['Paris']\n", { source: 'qa.csv' });
    const ranked = rankedFromRetrieved(parseRetrievedText(searchJsonl, 'run.jsonl'), qa);
    assert.deepEqual(topKAccuracy(ranked, { ks: [1, 2] }), {
      questions: 2,
      top_k_accuracy: { '1': 0.5, '2': 1 },
      first_hit_rank: { '1': 2, '2': 1 },
    });
  });
  test("DPR's result JSON carries its answers (scores as strings)", () => {
    const dpr = JSON.stringify([
      { question: 'q', answers: ['hugo'], ctxs: [{ id: 'x', title: 't', text: 'Hugo!', score: '80.5', has_answer: true }] },
    ]);
    const [r] = parseRetrievedText(dpr, 'dpr.json');
    assert.equal(r!.passages[0]!.score, 80.5);
    assert.deepEqual(topKAccuracy(rankedFromRetrieved([r!]), { ks: [1] }).top_k_accuracy, { '1': 1 });
  });
  test('mismatches name the place', () => {
    const qa = parseQaText("another question\t['x']\ncapital of france\t['Paris']\n", { source: 'qa.csv' });
    assert.throws(
      () => rankedFromRetrieved(parseRetrievedText(searchJsonl, 'run.jsonl'), qa),
      (e: Error) => e instanceof InputError && /^run\.jsonl:1: question/.test(e.message),
    );
    assert.throws(
      () => rankedFromRetrieved(parseRetrievedText(searchJsonl, 'run.jsonl'), qa.slice(0, 1)),
      /hold 2 questions but the QA file 1/,
    );
    assert.throws(() => rankedFromRetrieved(parseRetrievedText(searchJsonl, 'run.jsonl')), /carry no answers; give the QA file/);
    assert.throws(() => parseRetrievedText('{"id":1}\n', 'run.jsonl'), /^InputError: run\.jsonl:1: "question" must be a string/);
    assert.throws(() => parseRetrievedText('nope', 'run.jsonl'), /run\.jsonl:1: not valid JSON/);
  });
});

describe('readerExactMatch', () => {
  test('EM over questions, any gold answer, a missing prediction is a miss', () => {
    const got = readerExactMatch([
      { answers: ['Victor Hugo'], prediction: 'the Victor Hugo.' },
      { answers: ['1776', 'July 4, 1776'], prediction: 'july 4 1776' },
      { answers: ['Paris'], prediction: 'Paris, France' },
      { answers: ['x'], prediction: null, key: 'q4' },
    ]);
    assert.equal(got.exact_match, 0.5);
    assert.deepEqual(got.per_question.q4, { prediction: null, exact_match: false });
    assert.equal(got.per_question['2']!.exact_match, false);
  });
});
