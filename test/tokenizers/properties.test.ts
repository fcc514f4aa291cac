/**
 * Properties no fixture table can cover: any Unicode string tokenizes without throwing, ids are in
 * the vocabulary, rows are framed [CLS] … [SEP], truncation respects max_length, and offsets slice
 * back to the text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bertTokenizer } from './helpers.js';
import { BasicTokenizer, type TruncationOption } from '../../src/tokenizers/index.js';
import { pythonSplit } from '../../src/tokenizers/unicode.js';

const tok = bertTokenizer();
const cased = bertTokenizer({ do_lower_case: false });
const RUNS = 150;

/** Strings mixing everything that trips tokenizers: lone surrogates, astral characters, controls, accents, CJK. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .array(
      fc.constantFrom(
        'a',
        'É',
        'ß',
        'İ',
        'Σ',
        '\u0301',
        '\ud800',
        '\udfff',
        '😀',
        '𠮷',
        '北',
        '\u0000',
        '\u200b',
        '\u2028',
        '\t',
        ' ',
        '\u00a0',
        '[CLS]',
        '[SEP]',
        '##',
        '.',
        "'",
        'ﬁ',
        '\ufffd',
      ),
      { maxLength: 40 },
    )
    .map((xs) => xs.join('')),
);

test('any Unicode string tokenizes; ids in range; [CLS] … [SEP] framing; offsets slice back', () => {
  fc.assert(
    fc.property(nasty, (text) => {
      for (const t of [tok, cased]) {
        const enc = t.encode(text, null, { return_offsets_mapping: true });
        const ids = enc.input_ids;
        assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < t.vocab_size));
        assert.equal(ids[0], t.cls_token_id);
        assert.equal(ids[ids.length - 1], t.sep_token_id);
        const offsets = enc.offset_mapping!;
        assert.equal(offsets.length, ids.length);
        for (const [s, e] of offsets) assert.ok(0 <= s && s <= e && e <= text.length, `offset [${s}, ${e}] outside ${text.length}`);
        // Offsets never start or end inside a surrogate pair.
        for (const [s, e] of offsets) {
          for (const x of [s, e]) {
            const prev = text.charCodeAt(x - 1);
            const next = text.charCodeAt(x);
            assert.ok(!(prev >= 0xd800 && prev <= 0xdbff && next >= 0xdc00 && next <= 0xdfff), `offset ${x} splits a surrogate pair`);
          }
        }
        assert.equal(ids.length, t.tokenize(text).length + 2);
      }
    }),
    { numRuns: RUNS },
  );
});

test("uncased tokens come from the offsets' text: lowercased, accents stripped, ## removed", () => {
  // For plain Latin words, each token (minus "##") is exactly the slice its offsets point to, normalised.
  const word = fc.stringMatching(/^[A-Za-zÀ-ÿ0-9.,!?'()-]{1,12}$/);
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 12 }), (words) => {
      const text = words.join(' ');
      const enc = tok.encode(text, null, { return_offsets_mapping: true });
      const tokens = tok.convertIdsToTokens(enc.input_ids);
      tokens.forEach((t, k) => {
        if (t === '[CLS]' || t === '[SEP]' || t === '[UNK]') return;
        const [s, e] = enc.offset_mapping![k]!;
        const slice = text
          .slice(s, e)
          .toLowerCase()
          .normalize('NFD')
          .replace(/\p{Mn}/gu, '');
        assert.equal(t.replace(/^##/, ''), slice, `token ${t} vs text ${JSON.stringify(text.slice(s, e))}`);
      });
    }),
    { numRuns: RUNS },
  );
});

test('truncated output never exceeds max_length, for singles and pairs, any strategy that can succeed', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.option(fc.string({ unit: 'grapheme', maxLength: 200 }), { nil: null }),
      fc.integer({ min: 3, max: 64 }),
      fc.constantFrom<TruncationOption>('longest_first', 'only_first', 'only_second', true),
      (text, pair, maxLength, truncation) => {
        const options = { truncation, max_length: maxLength, return_special_tokens_mask: true } as const;
        let enc;
        try {
          enc = tok.encode(text, pair, options);
        } catch (e) {
          // Only the one-sided strategies can be impossible, and they say so.
          assert.ok(truncation === 'only_first' || truncation === 'only_second', String(e));
          assert.match((e as Error).message, /cannot truncate to max_length/);
          return;
        }
        assert.ok(enc.input_ids.length <= maxLength, `${enc.input_ids.length} > ${maxLength}`);
        assert.equal(enc.special_tokens_mask!.filter((m) => m === 1).length, pair === null ? 2 : 3);
      },
    ),
    { numRuns: RUNS },
  );
});

test('padding to max_length and pad_to_multiple_of give exact lengths and consistent masks', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 80 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 16 }),
      (texts, multiple) => {
        const enc = tok.encodeBatch(texts, null, { padding: 'longest', pad_to_multiple_of: multiple });
        const width = enc.input_ids[0]!.length;
        assert.equal(width % multiple, 0);
        enc.input_ids.forEach((row, b) => {
          assert.equal(row.length, width);
          const mask = enc.attention_mask![b]!;
          const real = mask.filter((m) => m === 1).length;
          assert.deepEqual(row.slice(real), new Array(width - real).fill(tok.pad_token_id));
          assert.equal(row[real - 1], tok.sep_token_id);
        });
      },
    ),
    { numRuns: 60 },
  );
});

test('normalising twice is a no-op: re-tokenizing the decoded text gives the same ids', () => {
  const word = fc.stringMatching(/^[a-z]{1,10}$/);
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 20 }), (words) => {
      const ids = tok.encode(words.join(' ')).input_ids;
      const again = tok.encode(tok.decode(ids, { skip_special_tokens: true })).input_ids;
      assert.deepEqual(again, ids);
    }),
    { numRuns: RUNS },
  );
});

test('whitespace splitting is Python str.split()', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('a', 'b', ' ', '\t', '\u2028', '\u3000', '\u00a0', '\u0085', '\u001c'), { maxLength: 20 }),
      (chars) => {
        const s = chars.join('');
        const expected = s
          .split(/[\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/)
          .filter((x) => x !== '');
        assert.deepEqual(pythonSplit(s), expected);
      },
    ),
    { numRuns: 100 },
  );
});

test('50,000-character words and texts do not throw and give [UNK] for over-long words', () => {
  const long = 'a'.repeat(50_000);
  assert.deepEqual(tok.tokenize(long), ['[UNK]']);
  assert.deepEqual(tok.tokenize('😀'.repeat(50_000)), ['[UNK]']);
  const enc = tok.encode(`${long} ${'北'.repeat(50_000)}`, null, { truncation: true });
  assert.equal(enc.input_ids.length, 512);
  assert.equal(new BasicTokenizer().tokenize('x'.repeat(50_000)).length, 1);
});
