/**
 * The Python-regex → JS translation: matches computed by Python's regex module (IGNORECASE|
 * UNICODE|MULTILINE on NFD text, as DPR compiles answer patterns) for each construct that differs
 * between the dialects; patterns Python rejects are invalid (no match); constructs JS cannot
 * reproduce are refused with an InputError naming them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasAnswer, translatePythonRegex } from '../../src/eval/index.js';
import { InputError } from '../../src/errors.js';

// [pattern, text, Python's regex.search(NFD(pattern), NFD(text)) is not None]
const PYTHON_MATCHES: [string, string, boolean][] = [
  ['\\bcat\\b', 'the cat sat', true],
  ['\\bcat\\b', 'concatenate', false],
  ['\\bcat\\b', '\u00e9cat', false],
  ['\\w+', '\u0663', true],
  ['^\\d+$', '\u0661\u0662\u0663', true],
  ['a.b', 'a\rb', true],
  ['a.b', 'a\nb', false],
  ['^b', 'a\rb', false],
  ['^b', 'a\nb', true],
  ['a$', 'a\r\nb', false],
  ['a$', 'a\nb', true],
  ['x\\sy', 'x\u0085y', true],
  ['x\\sy', 'x\ufeffy', false],
  ['x{,2}y', 'xxy', true],
  ['x{y', 'x{y', true],
  ["O\\'Neil", "o'neil", true],
  ['[]a]+', ']a', true],
  ['[^]]', ']', false],
  ['ISTANBUL', '\u0131stanbul', true],
  ['[A-Z]stanbul', '\u0131stanbul', true],
  ['[a-z]stanbul', '\u0131stanbul', false],
  ['\\p{Lu}', '\u0131', true],
  ['\\P{Lu}', 'A', false],
  ['(?i)abc', 'ABC', true],
  ['(?m)^b', 'a\nb', true],
  ['(?P<y>19|20)\\d\\d', 'in 1999', true],
  ['colou?r', 'COLOR', true],
  ['\\Aab', 'xab', false],
  ['ab\\Z', 'ab\n', false],
  ['\\x41\\u00e9', 'ae\u0301', false],
  ['(?#note)k', 'K', true],
  ['\\Bat', 'cat', true],
  ['\u017f', 'S', true],
  ['k', '\u212a', true],
  ['a{2,3}?', 'a', false],
];

describe('translated patterns match where Python matches', () => {
  for (const [pattern, text, expected] of PYTHON_MATCHES) {
    test(`${JSON.stringify(pattern)} on ${JSON.stringify(text)} → ${expected}`, () => {
      assert.equal(hasAnswer([pattern], text, { match: 'regex' }), expected);
    });
  }
});

describe('patterns Python rejects are invalid, i.e. no match (DPR: except → False)', () => {
  for (const pattern of ['(unclosed', 'a)', '[abc', '*a', 'a**', 'a{3,1}', '[z-a]', '\\x4', 'x\\', '{1}']) {
    test(JSON.stringify(pattern), () => {
      const t = translatePythonRegex(pattern);
      assert.equal(t.valid, false);
      assert.equal(hasAnswer([pattern, 'zzz'], 'a b c (unclosed', { match: 'regex' }), false);
    });
  }
});

describe('valid Python constructs without an exact JS equivalent are refused by name', () => {
  const refused: [string, RegExp][] = [
    ['(?s)a.b', /group construct/],
    ['(?>ab)', /group construct/],
    ['a++', /possessive/],
    ['(a)\\1', /backreference/],
    ['[[:alpha:]]', /POSIX/],
    ['\\N{LATIN SMALL LETTER A}', /escape \\N/],
    ['\\p{IsLatin}', /property/],
    ['\\p{letter}', /property/],
    ['^*', /quantifier on an assertion/],
    ['\u0131stanbul', /dotless/],
    ['[\\W]', /\\W inside a set/],
    ['x{e<=1}', /fuzzy/],
    ['\\G', /escape \\G/],
  ];
  for (const [pattern, what] of refused) {
    test(JSON.stringify(pattern), () => {
      assert.throws(
        () => translatePythonRegex(pattern),
        (e: Error) =>
          e instanceof InputError &&
          what.test(e.message) &&
          e.message.includes(JSON.stringify(pattern)) &&
          /match: 'string'/.test(e.message),
      );
    });
  }
});
