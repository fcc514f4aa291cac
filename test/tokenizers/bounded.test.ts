/**
 * Text is bounded before tokenization: with truncation a text is read only as far as its kept
 * tokens need (a 50 MB line costs what 512 tokens cost), and what must be tokenized whole is
 * refused above max_chars. The bounded reading must give exactly what tokenizing everything and
 * then truncating gives — checked against that, for random texts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TokenizerError } from '../../src/errors.js';
import { BertTokenizer, DPRReaderTokenizer, type EncodeOptions, type Encoding, type TruncationOption } from '../../src/tokenizers/index.js';
import { prepareForModel } from '../../src/tokenizers/prepare_for_model.js';
import { bertTokenizer, referenceVocab } from './helpers.js';

const tok = bertTokenizer();

/** What encode gave before bounded reading: every token of both texts, then HF's truncation. */
function fullThenTruncate(t: BertTokenizer, text: string, pair: string | null, options: EncodeOptions): Encoding {
  const strategies = t.resolveStrategies(options);
  return prepareForModel(t, t.encodeText(text), pair === null ? null : t.encodeText(pair), strategies, options);
}

/** The outcome of a call: its fields, or the error's class and message. */
function outcome(f: () => Encoding): unknown {
  try {
    const enc = f();
    const { input_ids, token_type_ids, special_tokens_mask, offset_mapping, overflowing_tokens, num_truncated_tokens } = enc;
    return { input_ids, token_type_ids, special_tokens_mask, offset_mapping, overflowing_tokens, num_truncated_tokens };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** A 50 MB single line of mixed text: words, punctuation, accents, CJK, astral characters. */
function fiftyMegabytes(): string {
  const unit = 'The quick brown fox, naïve café — ΟΔΟΣ 東京タワー 😀 jumps over 12,345 lazy dogs. ';
  return unit.repeat(Math.ceil(50e6 / unit.length));
}

test('a 50 MB single line truncated to 512 tokens: the tokens of its first part, in bounded memory', () => {
  const big = fiftyMegabytes();
  assert.ok(big.length >= 50e6);
  const prefix = big.slice(0, 20_000);
  const options = { truncation: true, max_length: 512, return_offsets_mapping: true } as const;
  const heapBefore = process.memoryUsage().heapUsed;
  const single = tok.encode(big, null, options);
  const pairTitle = tok.encode('A title', big, options);
  const pairBoth = tok.encode(big, big, options);
  const batch = tok.encodeBatch([big, 'short'], null, { ...options, padding: 'max_length' });
  const growth = process.memoryUsage().heapUsed - heapBefore;
  assert.equal(single.input_ids.length, 512);
  assert.deepEqual(single, tok.encode(prefix, null, options));
  assert.deepEqual(pairTitle, tok.encode('A title', prefix, options));
  assert.deepEqual(pairBoth, tok.encode(prefix, prefix, options));
  assert.deepEqual(batch.input_ids[0], single.input_ids);
  assert.deepEqual(batch.offset_mapping![0], single.offset_mapping);
  // Tokenizing the whole line took GBs (and crashed); a few pieces of it take next to nothing.
  assert.ok(growth < 64 * 2 ** 20, `heap grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
});

test('the reader reads a 50 MB passage only as far as max_length', async () => {
  const reader = new DPRReaderTokenizer(referenceVocab(), { model_max_length: 512 });
  const big = fiftyMegabytes();
  const options = { truncation: true, max_length: 64, padding: 'max_length' } as const;
  const enc = reader.call('who jumps?', ['Fox'], [big], options);
  assert.deepEqual(enc, reader.call('who jumps?', ['Fox'], [big.slice(0, 5_000)], options));
  assert.equal(enc.input_ids[0]!.length, 64);
});

test('max_chars: what must be tokenized whole is refused above it, with a TokenizerError naming it', () => {
  const small = bertTokenizer({ max_chars: 1_000 });
  const words = 'a b '.repeat(1_000);
  const isMaxChars = (e: unknown): boolean => e instanceof TokenizerError && /max_chars \(1000\)/.test(e.message);
  assert.throws(() => small.encode(words), isMaxChars);
  assert.throws(() => small.tokenize(words), isMaxChars);
  assert.throws(() => small.encode(words, null, { truncation: true, max_length: 8, return_overflowing_tokens: true }), isMaxChars);
  // With truncation only what fits is read: no limit on the text.
  assert.deepEqual(
    small.encode(words, null, { truncation: true, max_length: 8 }),
    tok.encode(words, null, { truncation: true, max_length: 8 }),
  );
  // A run with nowhere to cut it must be held whole.
  assert.throws(
    () => small.encode('a'.repeat(5_000), null, { truncation: true, max_length: 8 }),
    (e: unknown) => isMaxChars(e) && /without a space or line break/.test((e as Error).message),
  );
  assert.deepEqual(bertTokenizer({ max_chars: Infinity }).encode(words).input_ids.length, 2_002);
  assert.equal(tok.max_chars, 1_000_000);
  assert.throws(() => bertTokenizer({ max_chars: 0 }), /max_chars must be a positive integer or Infinity, found 0/);
});

// ------------------------------------------------------------------------------- properties

/** Fragments that exercise every step: separators of each kind, CJK, special tokens, case and accent context, surrogates, controls. */
const fragment = fc.constantFrom(
  'word',
  'Words',
  'unaffable',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\u00a0',
  '\u3000',
  '\u2028',
  '\u001c',
  '\u0085',
  '\u0000',
  '\ufffd',
  '\u200b',
  '.',
  ',',
  "'",
  '-',
  '北',
  '京',
  '𠮷',
  '😀',
  'É',
  'é',
  'e\u0301',
  '\u0301',
  'ΟΔΟΣ',
  'Σ',
  'σ.',
  'İ',
  'ß',
  'ﬁ',
  '\ud800',
  '\udfff',
  '[SEP]',
  '[MASK]',
  '[sep]',
  '<a b>',
  '<a',
  'b>',
  'x北',
  'x'.repeat(120),
  'ab'.repeat(40),
);
const text = fc.array(fragment, { maxLength: 400 }).map((xs) => xs.join(''));

const vocabWithSpecials = new Map(referenceVocab());
vocabWithSpecials.set('<a b>', vocabWithSpecials.size);
vocabWithSpecials.set('x北', vocabWithSpecials.size);
const tokenizers = [
  ['uncased', tok],
  ['cased', bertTokenizer({ do_lower_case: false })],
  ['no basic tokenizer', bertTokenizer({ do_basic_tokenize: false })],
  ['no CJK split', bertTokenizer({ tokenize_chinese_chars: false })],
  [
    'special tokens holding a space and a CJK character',
    new BertTokenizer(vocabWithSpecials, { model_max_length: 512, additional_special_tokens: ['<a b>', 'x北'] }),
  ],
] as const;

test('a piece is never cut inside a special token, even one holding a space or a CJK character', () => {
  const t = tokenizers[4][1];
  // Pieces are read 64 units at a time for small limits, so the first cut is looked for from index 64.
  for (const s of [`${' '.repeat(63)}<a b> z`, `${' '.repeat(63)}x北 z`, `${' '.repeat(62)}北 x`]) {
    assert.deepEqual(t.encodeText(s, 5), t.encodeText(s), JSON.stringify(s.trim()));
  }
  assert.deepEqual(t.tokenize(`${' '.repeat(63)}<a b> z`), ['<a b>', 'z']);
});

test('encodeText with a limit gives the first tokens of the whole text, offsets included', () => {
  for (const [label, t] of tokenizers) {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 40 }), (s, limit) => {
        const whole = t.encodeText(s);
        const first = t.encodeText(s, limit);
        assert.deepEqual(
          first,
          { ids: whole.ids.slice(0, limit), starts: whole.starts.slice(0, limit), ends: whole.ends.slice(0, limit) },
          label,
        );
      }),
      { numRuns: 60 },
    );
  }
});

test('truncated encoding of long random texts equals tokenizing them whole, then truncating (singles, pairs, every strategy)', () => {
  const strategy = fc.constantFrom<TruncationOption>('longest_first', 'only_first', 'only_second', true, false);
  for (const [label, t] of tokenizers) {
    fc.assert(
      fc.property(
        text,
        fc.option(text, { nil: null }),
        fc.integer({ min: 0, max: 48 }),
        strategy,
        fc.record({ add_special_tokens: fc.boolean(), return_overflowing_tokens: fc.boolean(), stride: fc.integer({ min: 0, max: 4 }) }),
        (s, pair, maxLength, truncation, extra) => {
          const options: EncodeOptions = {
            truncation,
            max_length: maxLength,
            return_offsets_mapping: true,
            return_special_tokens_mask: true,
            ...extra,
          };
          const expected = outcome(() => fullThenTruncate(t, s, pair, options));
          assert.deepEqual(
            outcome(() => t.encode(s, pair, options)),
            expected,
            label,
          );
          assert.deepEqual(
            outcome(() => t.encode(s, pair, { ...options, on_impossible_truncation: 'keep' })),
            outcome(() => fullThenTruncate(t, s, pair, { ...options, on_impossible_truncation: 'keep' })),
            label,
          );
        },
      ),
      { numRuns: 80 },
    );
  }
});

test("the reader's truncated rows equal its rows built from whole texts, then sliced", () => {
  const reader = new DPRReaderTokenizer(referenceVocab(), { model_max_length: 512 });
  fc.assert(
    fc.property(text, text, text, fc.integer({ min: 0, max: 40 }), (q, title, passage, maxLength) => {
      const whole = reader
        .buildInputsWithSpecialTokens(reader.encodeText(q).ids, reader.encodeText(title).ids)
        .concat(reader.encodeText(passage).ids);
      const enc = reader.call(q, [title], [passage], { truncation: true, max_length: maxLength });
      assert.deepEqual(enc.input_ids, [whole.slice(0, maxLength)]);
    }),
    { numRuns: 80 },
  );
});
