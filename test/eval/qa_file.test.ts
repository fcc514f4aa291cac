/**
 * DPR question files: the Python list-literal reader (table + the repr round-trip property) and
 * the CSV/JSONL readers with their file:line errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePythonStringList, parseQaText, pythonRepr, PythonLiteralError } from '../../src/eval/index.js';
import { InputError } from '../../src/errors.js';

describe('parsePythonStringList', () => {
  const table: [string, string[]][] = [
    ["['Victor Hugo', \"O'Neil\"]", ['Victor Hugo', "O'Neil"]],
    ['[]', []],
    ["[ 'a' , 'b' , ]", ['a', 'b']],
    ["['caf\\xe9', '\\u00e9t\\u00e9', '\\U0001F600']", ['caf\u00e9', '\u00e9t\u00e9', '\u{1F600}']],
    [
      "['tab\\there', 'nl\\n', 'q\\'s', \"d\\\"q\", 'back\\\\slash', '\\101\\0']",
      ['tab\there', 'nl\n', "q's", 'd"q', 'back\\slash', 'A\0'],
    ],
    ["['a' \"b\" 'c']", ['abc']],
    ["[r'\\d+', u'x', R'\\'']", ['\\d+', 'x', "\\'"]],
    ["['\\q\\8']", ['\\q\\8']],
    ["['1776']", ['1776']],
  ];
  for (const [literal, expected] of table) {
    test(literal, () => assert.deepEqual(parsePythonStringList(literal), expected));
  }
  const bad: [string, RegExp][] = [
    ["'a'", /expected a list literal/],
    ["['a'", /expected , or \]/],
    ["['a' 'b]", /unterminated/],
    ['[1, 2]', /expected a string literal/],
    ["[b'x']", /not a plain str/],
    ["['x'] + ['y']", /after the closing \]/],
    ["['\\x4']", /truncated \\x/],
    ["['''a''']", /triple/],
    ["['\\N{DASH}']", /\\N\{name\}/],
    ["['\\N']", /\\N\{name\}/],
    ["('a',)", /list literal/],
    ["[f'x']", /not a plain str/],
  ];
  for (const [literal, reason] of bad) {
    test(`rejects ${literal}`, () => {
      assert.throws(
        () => parsePythonStringList(literal),
        (e: Error) => e instanceof PythonLiteralError && reason.test(e.message),
      );
    });
  }
  test('property: any list of strings written by Python repr rules parses back exactly', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom("'", '"', '\\', '\n', '\t', '\r', '\x7f', '\u00a0', '\u2028', 'é', '\u{1F600}', 'a', ' ') }),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), (items) => {
        assert.deepEqual(parsePythonStringList(pythonRepr(items)), items);
      }),
      { numRuns: 500 },
    );
  });
  test('pythonRepr follows Python: quote choice, \\x/\\u/\\U for non-printables', () => {
    assert.equal(
      pythonRepr(["O'Neil", 'a"b', 'both\'"', '\x00\x7f\u00ad\u2028\u{E0001}', 'é 😀']),
      "[\"O'Neil\", 'a\"b', 'both\\'\"', '\\x00\\x7f\\xad\\u2028\\U000e0001', 'é 😀']",
    );
  });
});

describe('parseQaText', () => {
  test("DPR's CSV: question<TAB>list literal, CRLF or LF, quoted question, ’ normalised", () => {
    const csv = 'who wrote les misérables\t[\'Victor Hugo\']\r\n"a ""quoted""\tq’s"\t[\'x\', "y\'z"]\nlast\t[\'1\']';
    assert.deepEqual(parseQaText(csv, { source: 'nq.csv' }), [
      { question: 'who wrote les misérables', answers: ['Victor Hugo'] },
      { question: 'a "quoted"\tq\'s', answers: ['x', "y'z"] },
      { question: 'last', answers: ['1'] },
    ]);
  });
  test('JSONL with ids', () => {
    const jsonl = '{"question":"q1","answers":["a"],"id":"x1"}\n\n{"question":"q2","answers":["b","c"],"id":7}\n';
    assert.deepEqual(parseQaText(jsonl, { source: 'qa.jsonl' }), [
      { question: 'q1', answers: ['a'], id: 'x1' },
      { question: 'q2', answers: ['b', 'c'], id: '7' },
    ]);
  });
  const bad: [string, string, RegExp][] = [
    ['qa.csv', "ok\t['a']\nno tab here\n", /^qa\.csv:2: expected question<TAB>answers/],
    ['qa.csv', "ok\t['a']\nq\t'Victor Hugo'\n", /^qa\.csv:2: the answers are not a Python list of strings: expected a list literal/],
    ['qa.csv', 'q\t[1, 2]\n', /^qa\.csv:1: .*expected a string literal/],
    ['qa.csv', 'q\t[]\n', /^qa\.csv:1: the answers list is empty/],
    ['qa.csv', "\"open\t['a']\n", /^qa\.csv:1: a quoted field is never closed/],
    ['qa.jsonl', '{"question":"q","answers":["a"]}\n{"question":"q"}\n', /^qa\.jsonl:2: "answers" must be a list of strings/],
    ['qa.jsonl', '{"question":"q","answers":[]}\n', /^qa\.jsonl:1: the answers list is empty/],
    ['qa.jsonl', '{"question":1,"answers":["a"]}\n', /^qa\.jsonl:1: "question" must be a string/],
    ['qa.jsonl', '{oops\n', /^qa\.jsonl:1: not valid JSON/],
    ['qa.csv', '\n\n', /^qa\.csv: holds no questions/],
  ];
  for (const [source, text, message] of bad) {
    test(`${source} ${JSON.stringify(text.slice(0, 30))} → ${message}`, () => {
      assert.throws(
        () => parseQaText(text, { source }),
        (e: Error) => e instanceof InputError && message.test(e.message),
      );
    });
  }
});
