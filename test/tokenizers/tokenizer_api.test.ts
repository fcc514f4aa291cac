/**
 * Behaviour the reference tables do not pin down: directory loading, options, HF quirks, and the
 * errors at the public boundary (class and message).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError, TokenizerError } from '../../src/errors.js';
import {
  BertTokenizer,
  DPRContextEncoderTokenizer,
  DPRQuestionEncoderTokenizer,
  DPRReaderTokenizer,
  parseVocabTxt,
  readTokenizerDir,
} from '../../src/tokenizers/index.js';
import { referencePath } from '../helpers/reference.js';
import { bertTokenizer } from './helpers.js';

const tok = bertTokenizer();

test('fromPretrained reads tokenizer_config.json: model_max_length 512 and the class asked for', async () => {
  const q = await DPRQuestionEncoderTokenizer.fromPretrained(referencePath('models', 'question_encoder'));
  assert.ok(q instanceof DPRQuestionEncoderTokenizer);
  assert.equal(q.model_max_length, 512);
  assert.equal(q.vocab_size, 30522);
  const c = await DPRContextEncoderTokenizer.fromPretrained(referencePath('models', 'context_encoder_proj'), { do_lower_case: false });
  assert.ok(c instanceof DPRContextEncoderTokenizer);
  assert.deepEqual(
    c.tokenize('Hello World'),
    ['hello', 'world'].map((w) => (c.vocab.has(w[0]!.toUpperCase() + w.slice(1)) ? w[0]!.toUpperCase() + w.slice(1) : '[UNK]')),
  );
  assert.equal(q.encode('word '.repeat(600), null, { truncation: true }).input_ids.length, 512);
  assert.equal(q.encode('short', null, { padding: 'max_length' }).input_ids.length, 512);
});

test('special_tokens_map.json overrides tokenizer_config.json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpr-tok-'));
  copyFileSync(referencePath('vocab', 'bert-base-uncased-vocab.txt'), join(dir, 'vocab.txt'));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, unk_token: '[PAD]', model_max_length: 16 }));
  writeFileSync(join(dir, 'special_tokens_map.json'), JSON.stringify({ unk_token: { content: '[UNK]', lstrip: false } }));
  const t = await BertTokenizer.fromPretrained(dir);
  assert.equal(t.unk_token, '[UNK]');
  assert.equal(t.model_max_length, 16);
});

test('unusable directories fail with TokenizerError naming the problem', async () => {
  // (fromPretrained hands a missing path to the hub resolver first; the directory reader itself says so too.)
  await assert.rejects(
    readTokenizerDir('/nonexistent/dir'),
    (e: unknown) => e instanceof TokenizerError && /does not exist/.test(e.message),
  );
  const empty = mkdtempSync(join(tmpdir(), 'dpr-tok-'));
  await assert.rejects(
    BertTokenizer.fromPretrained(empty),
    (e: unknown) => e instanceof TokenizerError && /neither vocab.txt nor tokenizer.json/.test(e.message),
  );
  const badJson = mkdtempSync(join(tmpdir(), 'dpr-tok-'));
  writeFileSync(join(badJson, 'vocab.txt'), '[PAD]\n[UNK]\n[CLS]\n[SEP]\n');
  writeFileSync(join(badJson, 'tokenizer_config.json'), '{"do_lower_case": tru');
  await assert.rejects(
    BertTokenizer.fromPretrained(badJson),
    (e: unknown) => e instanceof TokenizerError && /tokenizer_config.json is not valid JSON/.test(e.message),
  );
  writeFileSync(join(badJson, 'tokenizer_config.json'), '{"do_lower_case": "yes"}');
  await assert.rejects(
    BertTokenizer.fromPretrained(badJson),
    (e: unknown) => e instanceof TokenizerError && /"do_lower_case" must be true or false, found "yes"/.test(e.message),
  );
  const noCls = mkdtempSync(join(tmpdir(), 'dpr-tok-'));
  writeFileSync(join(noCls, 'vocab.txt'), '[PAD]\n[UNK]\n[SEP]\n');
  await assert.rejects(
    BertTokenizer.fromPretrained(noCls),
    (e: unknown) => e instanceof TokenizerError && /cls_token "\[CLS\]" is not in the vocabulary/.test(e.message),
  );
});

test('vocab.txt parsing follows HF load_vocab: CRLF, empty lines and duplicates', () => {
  const v = parseVocabTxt('a\r\nb\n\nc\na\n');
  assert.deepEqual(
    [...v.entries()],
    [
      ['a', 4],
      ['b', 1],
      ['', 2],
      ['c', 3],
    ],
  );
});

test('CJK ideographs above U+FFFF are split one by one, like those below', () => {
  assert.deepEqual(tok.basic_tokenizer!.tokenize('ab𠮷野家cd'), ['ab', '𠮷', '野', '家', 'cd']);
  const noSplit = bertTokenizer({ tokenize_chinese_chars: false });
  assert.deepEqual(noSplit.basic_tokenizer!.tokenize('ab𠮷野家cd'), ['ab𠮷野家cd']);
});

test('strip_accents: null follows lowercasing, true strips even when cased, false keeps accents', () => {
  assert.deepEqual(bertTokenizer().basic_tokenizer!.tokenize('Café'), ['cafe']);
  assert.deepEqual(bertTokenizer({ do_lower_case: false }).basic_tokenizer!.tokenize('Café'), ['Café']);
  assert.deepEqual(bertTokenizer({ do_lower_case: false, strip_accents: true }).basic_tokenizer!.tokenize('Café'), ['Cafe']);
  assert.deepEqual(bertTokenizer({ strip_accents: false }).basic_tokenizer!.tokenize('Café'), ['café']);
});

test('never_split keeps a token whole; special tokens are never split, even glued to text', () => {
  const t = bertTokenizer({ never_split: ['hello-world'] });
  assert.deepEqual(t.tokenize('hello-world hello-there'), ['hello-world', 'hello', '-', 'there']);
  assert.deepEqual(tok.tokenize('a[SEP]b [MASK]'), ['a', '[SEP]', 'b', '[MASK]']);
  // HF lowercases the text char by char before matching special tokens: "[sep]" is plain text.
  assert.deepEqual(tok.tokenize('[sep]'), ['[', 'sep', ']']);
});

test('offsets of special tokens written in the text point at them', () => {
  const text = 'x [SEP] y';
  const enc = tok.encode(text, null, { return_offsets_mapping: true });
  assert.deepEqual(tok.convertIdsToTokens(enc.input_ids), ['[CLS]', 'x', '[SEP]', 'y', '[SEP]']);
  assert.deepEqual(enc.offset_mapping, [
    [0, 0],
    [0, 1],
    [2, 7],
    [8, 9],
    [0, 0],
  ]);
});

test('pair offsets are relative to each text; padding adds [0, 0]', () => {
  const enc = tok.encode('ab cd', 'Café', { return_offsets_mapping: true, padding: 'max_length', max_length: 8, truncation: true });
  assert.deepEqual(tok.convertIdsToTokens(enc.input_ids), ['[CLS]', 'ab', 'cd', '[SEP]', 'cafe', '[SEP]', '[PAD]', '[PAD]']);
  assert.deepEqual(enc.offset_mapping, [
    [0, 0],
    [0, 2],
    [3, 5],
    [0, 0],
    [0, 4],
    [0, 0],
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual(enc.attention_mask, [1, 1, 1, 1, 1, 1, 0, 0]);
});

test('decode: skip_special_tokens, clean-up of spaces, and unknown ids', () => {
  const ids = tok.encode("Don't stop , it's fine !").input_ids;
  assert.equal(tok.decode(ids), "[CLS] don't stop, it's fine! [SEP]");
  assert.equal(tok.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }), "don ' t stop , it ' s fine !");
  assert.equal(tok.decode([999999]), '[UNK]');
  assert.deepEqual(tok.batchDecode([[101, 102], []]), ['[CLS] [SEP]', '']);
});

test('bad arguments fail with InputError naming the argument', () => {
  assert.throws(
    () => tok.encode(42 as unknown as string),
    (e: unknown) => e instanceof InputError && /text must be a string, found number/.test(e.message),
  );
  assert.throws(
    () => tok.encode('a', null, { max_length: -1 }),
    (e: unknown) => e instanceof InputError && /max_length must be a non-negative integer, found -1/.test(e.message),
  );
  assert.throws(
    () => tok.encode('a', null, { padding: 'left' as never }),
    (e: unknown) => e instanceof InputError && /padding must be/.test(e.message),
  );
  assert.throws(
    () => tok.encode('a', null, { truncation: 'middle' as never }),
    (e: unknown) => e instanceof InputError && /truncation must be/.test(e.message),
  );
  assert.throws(
    () => tok.encode('a', null, { truncation: true, padding: 'max_length', max_length: 10, pad_to_multiple_of: 4 }),
    (e: unknown) => e instanceof InputError && /max_length \(10\) is not a multiple of pad_to_multiple_of \(4\)/.test(e.message),
  );
  assert.throws(
    () => tok.encodeBatch(['a', 'b'], ['c']),
    (e: unknown) => e instanceof InputError && /batch length of texts \(2\) does not match batch length of textPairs \(1\)/.test(e.message),
  );
  assert.throws(
    () => tok.encode('a b c', 'd e', { truncation: 'longest_first', max_length: 4, return_overflowing_tokens: true }),
    (e: unknown) => e instanceof TokenizerError && /overflowing tokens cannot be returned for a pair/.test(e.message),
  );
});

test('impossible truncation: only_second on a single text, and only_first too short, raise TokenizerError', () => {
  assert.throws(
    () => tok.encode('a b c d e', null, { truncation: 'only_second', max_length: 4 }),
    (e: unknown) => e instanceof TokenizerError && /needs a text pair/.test(e.message),
  );
  assert.equal(
    tok.encode('a b c d e', null, { truncation: 'only_second', max_length: 4, on_impossible_truncation: 'keep' }).input_ids.length,
    7,
  );
  // HF quirk kept: truncating one token to [CLS] [SEP] alone is "impossible" (len(ids) > to_remove fails).
  assert.throws(() => tok.encode('a', null, { truncation: true, max_length: 2 }), TokenizerError);
});

test('max_length alone turns truncation on (HF); truncation with stride returns the overflow window', () => {
  assert.equal(tok.encode('a b c d e f', null, { max_length: 5 }).input_ids.length, 5);
  const enc = tok.encode('a b c d e f', null, { max_length: 5, stride: 2, return_overflowing_tokens: true });
  assert.deepEqual(tok.convertIdsToTokens(enc.overflowing_tokens!), ['b', 'c', 'd', 'e', 'f']);
  assert.equal(enc.num_truncated_tokens, 3);
});

test('reader: a question per passage, truncation slices, mismatched lists fail', async () => {
  const reader = await DPRReaderTokenizer.fromPretrained(referencePath('models', 'reader'));
  const enc = reader.call(['q one', 'q two'], ['t1', 't2'], ['x', 'y z'], { padding: true });
  assert.deepEqual(reader.convertIdsToTokens(enc.input_ids[0]!), ['[CLS]', 'q', 'one', '[SEP]', 't', '##1', '[SEP]', 'x', '[PAD]']);
  assert.deepEqual(enc.attention_mask[0], [1, 1, 1, 1, 1, 1, 1, 1, 0]);
  const cut = reader.call('q', ['t'], ['a b c d'], { truncation: true, max_length: 6 });
  assert.deepEqual(reader.convertIdsToTokens(cut.input_ids[0]!), ['[CLS]', 'q', '[SEP]', 't', '[SEP]', 'a']);
  assert.throws(
    () => reader.call('q', ['a', 'b'], ['x']),
    (e: unknown) => e instanceof InputError && /2 titles and 1 texts/.test(e.message),
  );
  assert.throws(
    () => reader.call(['q1', 'q2', 'q3'], ['a', 'b'], ['x', 'y']),
    (e: unknown) => e instanceof InputError && /batch length of questions \(3\)/.test(e.message),
  );
  assert.throws(
    () => reader.decodeBestSpans({ input_ids: [[101, 102]] }, { start_logits: [[0, 0]], end_logits: [[0, 0]], relevance_logits: [0, 1] }),
    (e: unknown) => e instanceof InputError && /same passages; found 1, 1, 1 and 2/.test(e.message),
  );
  assert.throws(
    () =>
      reader.decodeBestSpans({ input_ids: [[101, 5, 6]] }, { start_logits: [[0, 0, 0]], end_logits: [[0, 0, 0]], relevance_logits: [0] }),
    (e: unknown) => e instanceof InputError && /no \[SEP\]/.test(e.message),
  );
});

test("decodeBestSpans keeps HF's nesting rule: partial overlaps allowed, nested spans skipped", async () => {
  const reader = await DPRReaderTokenizer.fromPretrained(referencePath('models', 'reader'));
  const ids = [101, 2054, 102, 1037, 102, 1038, 1039, 1040];
  const start = [0, 0, 0, 0, 0, 5, 4, 0];
  const end = [0, 0, 0, 0, 0, 0, 3, 2];
  const spans = reader.decodeBestSpans(
    { input_ids: [ids] },
    { start_logits: [start], end_logits: [end], relevance_logits: [1] },
    { num_spans_per_passage: 3, max_answer_length: 3 },
  );
  // The first [SEP] at or after position 2 is position 2, so candidates start at 3 — the title token.
  // (5,6)=8 first; (5,7) and (6,6) nest with it and are skipped; (6,7)=6 only overlaps, so it is kept.
  assert.deepEqual(
    spans.map((s) => [s.start_index, s.end_index, s.span_score]),
    [
      [5, 6, 8],
      [6, 7, 6],
      [3, 3, 0],
    ],
  );
  assert.equal(spans[2]!.text, 'a');
  for (let a = 0; a < spans.length; a++) {
    for (let b = 0; b < a; b++) {
      const [s1, e1] = [spans[a]!.start_index, spans[a]!.end_index];
      const [s2, e2] = [spans[b]!.start_index, spans[b]!.end_index];
      assert.ok(!((s1 <= s2 && e2 <= e1) || (s2 <= s1 && e1 <= e2)), 'no span nests in another');
    }
  }
});
