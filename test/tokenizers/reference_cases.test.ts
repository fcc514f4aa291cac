/**
 * Every case of the HuggingFace reference tables, token for token: tokenizer_cases.json (slow
 * BERT/DPR tokenizer), reader_cases.json (DPRReaderTokenizer call + decode_best_spans) and
 * fast_tokenizer_cases.json (ids, tokens and offsets of the Rust tokenizer).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TokenizerError } from '../../src/errors.js';
import {
  BertTokenizer,
  DPRContextEncoderTokenizerFast,
  DPRQuestionEncoderTokenizerFast,
  DPRReaderTokenizer,
  DPRReaderTokenizerFast,
  type EncodeOptions,
} from '../../src/tokenizers/index.js';
import { expectAllClose } from '../helpers/all_close.js';
import { referencePath } from '../helpers/reference.js';
import { bertTokenizer, codePointToUtf16, readCases } from './helpers.js';

interface SingleCase {
  kind: 'single';
  settings: string;
  options: Record<string, unknown>;
  text: string;
  tokens: string[];
  input_ids: number[];
  token_type_ids: number[];
  attention_mask: number[];
  decoded: string;
  decoded_skip_special: string;
}
interface PairCase {
  kind: 'pair';
  text: string;
  text_pair: string;
  options: EncodeOptions & { max_length: number };
  output: Record<string, number[]> | null;
  error: string | null;
}
interface BatchCase {
  kind: 'batch';
  texts: string[];
  options: EncodeOptions;
  output: Record<string, number[][]>;
}
interface OverflowCase {
  kind: 'overflow';
  text: string;
  options: EncodeOptions;
  output: { input_ids: number[]; overflowing_tokens: number[]; num_truncated_tokens: number };
}
type Case = SingleCase | PairCase | BatchCase | OverflowCase;

const cases = readCases<Case>('tokenizer_cases.json');

describe('tokenizer_cases.json', () => {
  test('the table holds every kind of case', () => {
    const kinds = new Set(cases.map((c) => c.kind));
    assert.deepEqual([...kinds].sort(), ['batch', 'overflow', 'pair', 'single']);
    assert.ok(cases.length >= 100, `expected the full table, found ${cases.length} cases`);
  });

  cases.forEach((c, i) => {
    if (c.kind === 'single') {
      test(`#${i} single/${c.settings}: ${JSON.stringify(c.text).slice(0, 50)}`, () => {
        const tok = bertTokenizer(c.options);
        assert.deepEqual(tok.tokenize(c.text), c.tokens);
        const enc = tok.encode(c.text);
        assert.deepEqual(enc.input_ids, c.input_ids);
        assert.deepEqual(enc.token_type_ids, c.token_type_ids);
        assert.deepEqual(enc.attention_mask, c.attention_mask);
        assert.equal(tok.decode(enc.input_ids), c.decoded);
        assert.equal(tok.decode(enc.input_ids, { skip_special_tokens: true }), c.decoded_skip_special);
      });
    } else if (c.kind === 'pair') {
      const { truncation, max_length } = c.options;
      test(`#${i} pair ${String(truncation)} max_length ${max_length}: ${c.text.slice(0, 30)}`, () => {
        const tok = bertTokenizer();
        // transformers 4.27 logs (does not raise) when the strategy cannot reach max_length and returns
        // the pair untruncated; we raise by default, and reproduce HF's output on request.
        const impossible = c.error !== null || (c.output !== null && c.output['input_ids']!.length > max_length);
        if (impossible) {
          assert.throws(
            () => tok.encode(c.text, c.text_pair, c.options),
            (e: unknown) =>
              e instanceof TokenizerError &&
              e.message.includes(`cannot truncate to max_length ${max_length}`) &&
              e.message.includes(`'${String(truncation)}'`),
          );
        }
        if (c.output === null) return;
        const enc = tok.encode(c.text, c.text_pair, impossible ? { ...c.options, on_impossible_truncation: 'keep' } : c.options);
        for (const [key, expected] of Object.entries(c.output)) {
          assert.deepEqual(enc[key as keyof typeof enc], expected, key);
        }
        assert.deepEqual(Object.keys(enc).sort(), Object.keys(c.output).sort());
        if (!impossible) assert.ok(enc.input_ids.length <= max_length);
      });
    } else if (c.kind === 'batch') {
      test(`#${i} batch ${JSON.stringify(c.options)}`, () => {
        const enc = bertTokenizer().encodeBatch(c.texts, null, c.options);
        for (const [key, expected] of Object.entries(c.output)) assert.deepEqual(enc[key as keyof typeof enc], expected, key);
        assert.deepEqual(Object.keys(enc).sort(), Object.keys(c.output).sort());
      });
    } else {
      test(`#${i} overflow ${JSON.stringify(c.options)}`, () => {
        const enc = bertTokenizer().encode(c.text, null, c.options);
        assert.deepEqual(enc.input_ids, c.output.input_ids);
        assert.deepEqual(enc.overflowing_tokens, c.output.overflowing_tokens);
        assert.equal(enc.num_truncated_tokens, c.output.num_truncated_tokens);
      });
    }
  });
});

interface ReaderCase {
  questions: string | string[];
  titles: string[];
  texts: string[];
  options: Record<string, unknown>;
  output: { input_ids: number[][]; attention_mask: number[][] };
  logits?: { start_logits: number[][]; end_logits: number[][]; relevance_logits: number[] };
  best_spans?: Array<{
    options: { num_spans: number; max_answer_length: number; num_spans_per_passage: number };
    spans: Array<{ span_score: number; relevance_score: number; doc_id: number; start_index: number; end_index: number; text: string }>;
  }>;
}

describe('reader_cases.json', async () => {
  const readerCases = readCases<ReaderCase>('reader_cases.json');
  const tok = await DPRReaderTokenizer.fromPretrained(referencePath('models', 'reader'));

  test('the table has span cases', () => {
    assert.ok(readerCases.filter((c) => c.best_spans !== undefined).length >= 2);
  });

  readerCases.forEach((c, i) => {
    test(`#${i} reader call ${JSON.stringify(c.options)}`, () => {
      const enc = tok.call(c.questions, c.titles, c.texts, c.options);
      assert.deepEqual(enc.input_ids, c.output.input_ids);
      assert.deepEqual(enc.attention_mask, c.output.attention_mask);
    });
    for (const best of c.best_spans ?? []) {
      test(`#${i} decodeBestSpans ${JSON.stringify(best.options)}`, () => {
        const spans = tok.decodeBestSpans(c.output, c.logits!, best.options);
        assert.equal(spans.length, best.spans.length);
        spans.forEach((s, k) => {
          const e = best.spans[k]!;
          assert.deepEqual(Object.keys(s), Object.keys(e), 'fields in HF order');
          assert.deepEqual([s.doc_id, s.start_index, s.end_index, s.text], [e.doc_id, e.start_index, e.end_index, e.text], `span ${k}`);
        });
        expectAllClose(
          spans.map((s) => s.span_score),
          best.spans.map((s) => s.span_score),
          { atol: 1e-4, label: 'span_score' },
        );
        expectAllClose(
          spans.map((s) => s.relevance_score),
          best.spans.map((s) => s.relevance_score),
          { atol: 1e-4, label: 'relevance_score' },
        );
      });
    }
  });

  test('decodeBestSpans accepts HF tuple order and tensor-like logits', () => {
    const c = readerCases.find((x) => x.best_spans !== undefined)!;
    const l = c.logits!;
    const tensor = <T>(v: T) => ({ arraySync: () => v });
    const fromObject = tok.decodeBestSpans(c.output, l);
    const fromTuple = tok.decodeBestSpans({ input_ids: tensor(c.output.input_ids) }, [
      tensor(l.start_logits),
      tensor(l.end_logits),
      tensor(l.relevance_logits),
    ]);
    assert.deepEqual(fromTuple, fromObject);
    // The defaults are HF's (num_spans 16, max_answer_length 64, num_spans_per_passage 4).
    const hfDefaults = c.best_spans!.find(
      (b) => b.options.num_spans === 16 && b.options.max_answer_length === 64 && b.options.num_spans_per_passage === 4,
    )!;
    assert.deepEqual(
      fromObject.map((s) => [s.doc_id, s.start_index, s.end_index]),
      hfDefaults.spans.map((s) => [s.doc_id, s.start_index, s.end_index]),
    );
  });
});

interface FastCase {
  text: string;
  input_ids: number[];
  tokens: string[];
  offsets: Array<[number, number]>;
  same_ids_as_slow: boolean;
}

describe('fast_tokenizer_cases.json', async () => {
  const fastCases = readCases<FastCase>('fast_tokenizer_cases.json');
  // A directory holding nothing but tokenizer.json.
  const dir = mkdtempSync(join(tmpdir(), 'dpr-tok-json-'));
  copyFileSync(referencePath('vocab', 'bert-base-uncased-tokenizer.json'), join(dir, 'tokenizer.json'));
  const fromJson = await BertTokenizer.fromPretrained(dir);
  const fromVocab = bertTokenizer();
  // The fast classes: from tokenizer.json, and falling back to vocab.txt (a directory without tokenizer.json).
  const fastFromJson = await DPRQuestionEncoderTokenizerFast.fromPretrained(dir);
  const fastFromVocab = await DPRContextEncoderTokenizerFast.fromPretrained(referencePath('models', 'context_encoder_proj'));
  const readerFast = await DPRReaderTokenizerFast.fromPretrained(dir);

  test('the table includes a text outside the BMP, where code points and UTF-16 differ', () => {
    assert.ok(fastCases.some((c) => [...c.text].length !== c.text.length));
  });

  const tokenizers = [
    ['BertTokenizer, tokenizer.json', fromJson],
    ['BertTokenizer, vocab.txt', fromVocab],
    ['DPRQuestionEncoderTokenizerFast, tokenizer.json', fastFromJson],
    ['DPRContextEncoderTokenizerFast, vocab.txt fallback', fastFromVocab],
    ['DPRReaderTokenizerFast, tokenizer.json', readerFast],
  ] as const;
  for (const [label, tok] of tokenizers) {
    fastCases.forEach((c, i) => {
      test(`#${i} ${label}: ${JSON.stringify(c.text).slice(0, 50)}`, () => {
        const enc = tok.encode(c.text, null, { return_offsets_mapping: true });
        assert.deepEqual(enc.input_ids, c.input_ids);
        assert.deepEqual(tok.convertIdsToTokens(enc.input_ids), c.tokens);
        // The reference counts code points (Python); JavaScript offsets count UTF-16 units.
        const map = codePointToUtf16(c.text);
        assert.deepEqual(
          enc.offset_mapping,
          c.offsets.map(([s, e]) => [map[s], map[e]]),
        );
        for (const [k, [s, e]] of enc.offset_mapping!.entries()) {
          if (c.tokens[k] !== '[CLS]' && c.tokens[k] !== '[SEP]') assert.ok(c.text.slice(s, e).length > 0, `token ${k} slices to text`);
        }
      });
    });
  }

  test('a tokenizer.json-only directory has no model_max_length, so truncation: true does nothing (as HF)', () => {
    assert.equal(fromJson.model_max_length, null);
    const long = 'word '.repeat(600);
    assert.equal(fromJson.encode(long, null, { truncation: true }).input_ids.length, 602);
    assert.equal(fromJson.encode(long, null, { padding: 'max_length' }).input_ids.length, 602);
    assert.equal(fromVocab.encode(long, null, { truncation: true }).input_ids.length, 512);
  });
});
