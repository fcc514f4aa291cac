/**
 * DPR's answer matching against ../shared/reference/eval/answer_cases.json, which DPR's own
 * qa_validation.py produced: one test per case, so a failure names the case.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { exactMatch, hasAnswer, normalizeAnswer, simpleTokenize } from '../../src/eval/index.js';
import { InputError } from '../../src/errors.js';
import { referencePath } from '../helpers/reference.js';

interface AnswerCases {
  has_answer: { answers: string[]; text: string; match: 'string' | 'regex'; expected: boolean }[];
  exact_match: { prediction: string; gold: string; expected: boolean }[];
}

const cases = JSON.parse(readFileSync(referencePath('eval', 'answer_cases.json'), 'utf8')) as AnswerCases;

describe('hasAnswer agrees with DPR on every reference case', () => {
  test('the reference file has cases of both kinds', () => {
    assert.ok(cases.has_answer.some((c) => c.match === 'regex') && cases.has_answer.some((c) => c.match === 'string'));
    assert.ok(cases.exact_match.length > 0);
  });
  cases.has_answer.forEach((c, i) => {
    test(`#${i} ${c.match} ${JSON.stringify(c.answers)} in ${JSON.stringify(c.text.slice(0, 40))} → ${c.expected}`, () => {
      assert.equal(hasAnswer(c.answers, c.text, { match: c.match }), c.expected);
    });
  });
});

describe('exactMatch agrees with DPR on every reference case', () => {
  cases.exact_match.forEach((c, i) => {
    test(`#${i} ${JSON.stringify(c.prediction)} vs ${JSON.stringify(c.gold)} → ${c.expected}`, () => {
      assert.equal(exactMatch(c.prediction, c.gold), c.expected);
    });
  });
});

describe('SimpleTokenizer and SQuAD normalisation details', () => {
  test('tokens: letter/digit/mark runs, or one visible character', () => {
    assert.deepEqual(simpleTokenize('AT&T’s 3.14 e\u0301te\u0301!  x'), [
      'at',
      '&',
      't',
      '’',
      's',
      '3',
      '.',
      '14',
      'e\u0301te\u0301',
      '!',
      'x',
    ]);
    assert.deepEqual(simpleTokenize('Ab', false), ['Ab']);
  });
  test('an answer split across a passage does not match; order matters', () => {
    assert.equal(hasAnswer(['Hugo Victor'], 'Victor Hugo wrote it'), false);
    assert.equal(hasAnswer(['victor hugo'], 'VICTOR\nHUGO'), true);
  });
  test('astral characters and NFD: precomposed answer matches decomposed text', () => {
    assert.equal(hasAnswer(['𝔘𝔫𝔦'], 'the 𝔘𝔫𝔦 code'), true);
    assert.equal(hasAnswer(['Ré'], 'Re\u0301 island'), true);
  });
  test("articles are removed only as whole Unicode words (Python's \\b), punctuation only if ASCII", () => {
    assert.equal(normalizeAnswer('The  théatre, an  apple'), 'théatre apple');
    assert.equal(normalizeAnswer('éa the'), 'éa'); // 'a' after 'é' is inside a word
    assert.equal(normalizeAnswer('«the» x'), '« » x'); // « » are not in string.punctuation, but are word boundaries
    assert.equal(normalizeAnswer('a\u001cb'), 'b'); // str.split() splits at U+001C; JS \s would not
    assert.equal(normalizeAnswer('x\ufeffy'), 'x\ufeffy'); // ...and JS \s would split at U+FEFF, Python does not
  });
  test('an unknown match type is an InputError naming the option', () => {
    assert.throws(
      () => hasAnswer(['a'], 'a', { match: 'kilt' as 'string' }),
      (e: Error) => e instanceof InputError && /options\.match/.test(e.message),
    );
  });
});
